package org.dmarcreporter.core.store;

import java.time.Duration;

/** How long stored things live before their TTL removes them. */
public final class Retention {

    /** {@code messageId} de-duplication and {@code Idempotency-Key} answers ({@code docs/ingest-api.md}). */
    public static final Duration DEDUPE = Duration.ofHours(24);

    /**
     * Counter rows and the window index: long enough for a catch-up run after days of outage
     * to still report every unreported window.
     */
    public static final Duration REPORT_DATA = Duration.ofDays(14);

    /** Failure candidates: sent within seconds, kept a week for retries and inspection. */
    public static final Duration FAILURE_CANDIDATE = Duration.ofDays(7);

    private Retention() {}
}
