package org.dmarcreporter.core.api;

import java.time.Duration;

/** Limits of the ingest API ({@code docs/ingest-api.md}). */
public final class IngestLimits {

    /** Results in one batch. */
    public static final int MAX_BATCH = 500;

    /**
     * Largest body accepted; larger ones get 413. 500 results with their header blocks fit, and it
     * stays under Lambda's 6 MB synchronous payload limit even after API Gateway's base64.
     */
    public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    /**
     * Time a request may spend evaluating before the rest of its results are answered
     * {@code temperror}. With the writes' {@code WindowTiming.INGEST_DEADLINE} (10 s) and the last
     * DynamoDB calls (at most 4 s each) it stays under the ingest function's 28 s timeout
     * ({@code template.yaml}), itself under API Gateway's 30 s.
     */
    public static final Duration EVALUATION_BUDGET = Duration.ofSeconds(8);

    /**
     * How far a result's {@code receivedAt} may be ahead of the server's clock: room for clocks
     * that are off and for time zones written wrongly, not for made-up dates.
     */
    public static final Duration MAX_RECEIVED_AHEAD = Duration.ofDays(1);

    /** Longest Idempotency-Key ({@code docs/ingest-api.md}). */
    public static final int MAX_IDEMPOTENCY_KEY = 128;

    private IngestLimits() {}
}
