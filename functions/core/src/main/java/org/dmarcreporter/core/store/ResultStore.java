package org.dmarcreporter.core.store;

/**
 * Where ingested results go: DynamoDB in AWS ({@code functions/aws}), SQLite in the local runtime
 * ({@code functions/local}), memory in tests. Every implementation keeps the same semantics:
 * <ul>
 *   <li>a batch is stored whole or, on error, its retry with the same {@code Idempotency-Key}
 *       completes it without counting anything twice;</li>
 *   <li>with {@link IngestBatch#dedupeMessageIds()}, a {@code messageId} stored within
 *       {@link Retention#DEDUPE} is counted once;</li>
 *   <li>counters are added ({@code count += n}), never overwritten;</li>
 *   <li>each failure candidate is written once, as its own record.</li>
 * </ul>
 */
public interface ResultStore {

    /**
     * Epoch second of the latest send-now cut for {@code policyDomain} (or for all domains),
     * 0 when there was none. Implementations may cache it for at most {@link org.dmarcreporter.core.window.WindowTiming#CUT_CACHE};
     * the aggregate run waits that long (plus the ingest deadline) after a cut before reading.
     */
    long latestCut(String policyDomain);

    /** Stores the batch, or answers with what an earlier request with the same key stored. */
    IngestOutcome ingest(IngestBatch batch);
}
