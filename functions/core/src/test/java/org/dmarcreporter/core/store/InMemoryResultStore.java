package org.dmarcreporter.core.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * The store semantics of {@link ResultStore} in memory, for tests of the core and of the edges.
 * Not for production: nothing survives the process.
 */
public final class InMemoryResultStore implements ResultStore {

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<ReportingWindow, String> windows = new LinkedHashMap<>();
    private final Map<String, Answer> answers = new HashMap<>();
    private final Set<String> messageIds = new HashSet<>();
    private final Map<String, FailureCandidate> candidates = new LinkedHashMap<>();
    private final Map<String, Long> cuts = new HashMap<>();
    private int batches;

    @Override
    public synchronized long latestCut(String policyDomain) {
        return Math.max(cuts.getOrDefault(policyDomain, 0L), cuts.getOrDefault("*", 0L));
    }

    public synchronized void cut(String policyDomain, long at) {
        cuts.put(policyDomain, at);
    }

    @Override
    public synchronized IngestOutcome ingest(IngestBatch batch) {
        Answer first = batch.idempotencyKey() == null ? null : answers.get(batch.idempotencyKey());
        if (first != null) {
            // A key stored without a digest is bound to no body: replayed, as before digests.
            return first.digest() != null && batch.requestDigest() != null
                    && !first.digest().equals(batch.requestDigest())
                    ? new IngestOutcome.KeyReused() : new IngestOutcome.Replayed(first.response());
        }
        List<StoredResult> counted = new ArrayList<>(batch.results().size());
        int duplicates = 0;
        for (StoredResult r : batch.results()) {
            if (batch.dedupeMessageIds() && r.messageId() != null && !messageIds.add(r.messageId())) {
                duplicates++;
                continue;
            }
            counted.add(r);
        }
        int writes = 0;
        for (RowIncrement inc : RowIncrement.merge(counted)) {
            counts.merge(key(inc.window(), inc.rowKey()), inc.count(), Long::sum);
            writes++;
        }
        for (WindowPolicy p : WindowPolicy.latest(counted)) {
            windows.put(p.window(), p.policyRecord());
            writes++;
        }
        for (StoredResult r : counted) {
            if (r.failureCandidate() != null) {
                candidates.putIfAbsent(r.failureCandidate().id(), r.failureCandidate());
                writes++;
            }
        }
        if (batch.idempotencyKey() != null) {
            answers.put(batch.idempotencyKey(), new Answer(batch.requestDigest(), batch.response()));
        }
        batches++;
        return new IngestOutcome.Stored(duplicates, writes);
    }

    private record Answer(String digest, byte[] response) {
    }

    private static String key(ReportingWindow w, String rowKey) {
        return w.policyDomain() + '\u001f' + w.start() + '\u001f' + rowKey;
    }

    /** Sum of all counters. */
    public synchronized long totalCount() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized int distinctRows() {
        return counts.size();
    }

    public synchronized Map<ReportingWindow, String> windows() {
        return Map.copyOf(windows);
    }

    public synchronized List<FailureCandidate> candidates() {
        return List.copyOf(candidates.values());
    }

    public synchronized int batches() {
        return batches;
    }
}
