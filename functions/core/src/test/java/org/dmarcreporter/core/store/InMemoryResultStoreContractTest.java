package org.dmarcreporter.core.store;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;

/** The in-memory store used by core and edge tests keeps the {@link ResultStore} contract. */
class InMemoryResultStoreContractTest extends ResultStoreContract {

    private InMemoryResultStore store;

    @BeforeEach
    void open() {
        store = new InMemoryResultStore();
    }

    @Override
    protected ResultStore store() {
        return store;
    }

    @Override
    protected ResultStoreReadBack readBack() {
        return store;
    }

    @Override
    protected void recordCut(String policyDomain, long cutAt) {
        store.cut(policyDomain, cutAt);
    }

    @Override
    protected Optional<HeldRequest> startAndHold(IngestBatch batch) {
        store.holdKey(batch.idempotencyKey());
        return Optional.of(() -> {
            store.releaseKey(batch.idempotencyKey());
            return store.ingest(batch);
        });
    }
}
