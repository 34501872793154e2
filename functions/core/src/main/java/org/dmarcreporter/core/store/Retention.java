package org.dmarcreporter.core.store;

import java.time.Duration;

/** How long stored things live before their TTL removes them. */
public final class Retention {

    /** {@code messageId} de-duplication and {@code Idempotency-Key} answers (contract §1). */
    public static final Duration DEDUPE = Duration.ofHours(24);

    /**
     * Counter rows and the window index: long enough for a catch-up run after days of outage
     * to still report every unreported window.
     */
    public static final Duration REPORT_DATA = Duration.ofDays(14);

    /** Failure candidates: sent within seconds, kept a week for retries and inspection. */
    public static final Duration FAILURE_CANDIDATE = Duration.ofDays(7);

    /** How stale an ingest function's view of a domain's send-now cut may be. */
    public static final Duration CUT_CACHE = Duration.ofSeconds(10);

    /**
     * The longest an ingest request may take between choosing a window and writing to it; a
     * request past it gives up without writing and the client retries (503).
     */
    public static final Duration INGEST_DEADLINE = Duration.ofSeconds(20);

    private Retention() {
    }
}
