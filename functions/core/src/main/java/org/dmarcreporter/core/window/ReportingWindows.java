package org.dmarcreporter.core.window;

import java.time.Instant;

/**
 * Which window a result stored at a given instant belongs to. Windows start at every UTC midnight
 * (RFC 9990 §3.1.1.4: reporters with 24-hour periods start at 00:00 UTC) and at every send-now cut
 * for the domain; see {@code docs/reporting-windows.md} for why this neither loses nor double
 * counts a result that arrives while a report is being made.
 */
public final class ReportingWindows {

    public static final long DAY_SECONDS = 86_400;

    private ReportingWindows() {}

    /**
     * @param storedAt  when the result is stored (the server's clock, not the message's receivedAt)
     * @param latestCut epoch second of the domain's latest send-now cut, 0 when there was none
     */
    public static long windowStart(Instant storedAt, long latestCut) {
        long now = storedAt.getEpochSecond();
        long midnight = Math.floorDiv(now, DAY_SECONDS) * DAY_SECONDS;
        return latestCut <= now ? Math.max(midnight, latestCut) : midnight;
    }

    public static ReportingWindow windowFor(String policyDomain, Instant storedAt, long latestCut) {
        return new ReportingWindow(policyDomain, windowStart(storedAt, latestCut));
    }
}
