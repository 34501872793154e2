package org.dmarcreporter.core.report.dispatch;

/**
 * Counters of the failure-report sender: AWS emits them as CloudWatch embedded metrics, the local
 * runtime keeps them for {@code GET /v1/reports}. {@link #add} is called with one of the names
 * below and a positive amount, from any thread; it must not throw (a lost count is better than a
 * lost report) and must not block on the network for long.
 */
public interface FailureMetrics {

    /** Reports handed over to the mail transport (a merged report counts once). */
    String SENT = "sent";
    /** Incidents held in a slot instead of being sent alone (they go out in a merged report). */
    String MERGED = "merged";
    /** Incidents dropped because a rate limit kept refusing them past the longest hold. */
    String RATE_LIMITED = "rateLimited";
    /** Reports not sent because their send marker existed (a retried candidate). */
    String ALREADY_SENT = "alreadySent";
    /** Reports the transport refused permanently (or still temporarily past the longest hold). */
    String FAILED = "failed";
    /** Reports not planned or not sent by choice (sending off, no usable address, ...). */
    String SKIPPED = "skipped";
    /** Dispatches answered with {@code retry} (DNS or mail temporarily failed). */
    String RETRIED = "retried";

    void add(String counter, long n);

    /** Counts nothing. */
    FailureMetrics NONE = (counter, n) -> {};
}
