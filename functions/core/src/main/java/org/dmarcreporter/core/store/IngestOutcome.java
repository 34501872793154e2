package org.dmarcreporter.core.store;

/** What {@link ResultStore#ingest(IngestBatch)} did. */
public sealed interface IngestOutcome {

    /**
     * The batch was stored.
     *
     * @param duplicateMessages results not counted because their messageId was already stored
     * @param itemWrites        records written or updated (the cost measure the benchmarks print)
     */
    record Stored(int duplicateMessages, int itemWrites) implements IngestOutcome {}

    /** The Idempotency-Key was seen before: nothing stored, answer with the first response. */
    record Replayed(byte[] response) implements IngestOutcome {}

    /** A request with the same Idempotency-Key is being stored right now: retry later (409). */
    record InProgress() implements IngestOutcome {}

    /**
     * The Idempotency-Key was used before with another request body: nothing stored (422).
     */
    record KeyReused() implements IngestOutcome {}
}
