package org.dmarcreporter.core.window;

import java.time.Duration;

/**
 * How long an ingest request may hold on to a window it chose, and how stale its view of a
 * send-now cut may be: together they say how long a report run waits after a cut before reading
 * the window it closed ({@code docs/reporting-windows.md}).
 */
public final class WindowTiming {

    /** How stale an ingest function's view of a domain's send-now cut may be. */
    public static final Duration CUT_CACHE = Duration.ofSeconds(10);

    /**
     * The longest an ingest request may take between choosing a window and writing to it; a
     * request past it gives up without writing and the client retries (503). Evaluation comes
     * before it ({@code IngestLimits.EVALUATION_BUDGET}); both fit the ingest function's timeout.
     */
    public static final Duration INGEST_DEADLINE = Duration.ofSeconds(10);

    private WindowTiming() {}
}
