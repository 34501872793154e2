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

    /**
     * The longest one store write started just before the deadline may take to land: in AWS the
     * SDK's call timeout with its retries ({@code AwsClients.API_CALL_TIMEOUT}, which a test keeps
     * within this).
     */
    public static final Duration LAST_WRITE = Duration.ofSeconds(4);

    /** How far apart the clocks of the ingest function and of the report run may be. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(6);

    /**
     * How long after a window's end it may be read ({@code docs/reporting-windows.md}): the last
     * request that can write into it chose it at most {@link #CUT_CACHE} after the end (a cut it
     * had not seen yet), writes until {@link #INGEST_DEADLINE} after that, and that write lands
     * within {@link #LAST_WRITE}; {@link #CLOCK_SKEW} covers the hosts' clocks. 30 s: so a
     * send-now in AWS, which waits this long after its cut, answers well within the AWS CLI's
     * 60 s read timeout ({@code docs/send-now.md}).
     */
    public static final Duration SETTLE =
            CUT_CACHE.plus(INGEST_DEADLINE).plus(LAST_WRITE).plus(CLOCK_SKEW);

    private WindowTiming() {}
}
