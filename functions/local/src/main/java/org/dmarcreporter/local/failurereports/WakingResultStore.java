package org.dmarcreporter.local.failurereports;

import java.util.Objects;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoredResult;

/**
 * The result store as ingest sees it, telling the sender when a committed batch held failure
 * candidates: the sender then picks them up at once instead of at its next poll.
 */
final class WakingResultStore implements ResultStore {

    private final ResultStore store;
    private final Runnable wake;

    WakingResultStore(ResultStore store, Runnable wake) {
        this.store = Objects.requireNonNull(store, "store");
        this.wake = Objects.requireNonNull(wake, "wake");
    }

    @Override
    public long latestCut(String policyDomain) {
        return store.latestCut(policyDomain);
    }

    @Override
    public IngestOutcome ingest(IngestBatch batch) {
        IngestOutcome outcome = store.ingest(batch);
        if (outcome instanceof IngestOutcome.Stored) {
            for (StoredResult r : batch.results()) {
                if (r.failureCandidate() != null) {
                    wake.run();
                    break;
                }
            }
        }
        return outcome;
    }
}
