package org.dmarcreporter.local.failurereports;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;

/**
 * The {@code failureReports} member of {@code GET /v1/reports} (docs/failure-reports.md, "In the
 * local runtime"): the sender's counters since the data folder was created, and how many
 * candidates wait to be sent.
 */
public final class FailureReportStatus {

    /** The counters always shown, in this order (0 when nothing was counted yet). */
    static final String[] COUNTERS = {
        FailureMetrics.SENT,
        FailureMetrics.MERGED,
        FailureMetrics.RATE_LIMITED,
        FailureMetrics.ALREADY_SENT,
        FailureMetrics.FAILED,
        FailureMetrics.SKIPPED,
        FailureMetrics.RETRIED,
        CandidateSender.GAVE_UP
    };

    private final Supplier<Map<String, Long>> counters;
    private final LongSupplier pending;
    private final String sending;

    FailureReportStatus(Supplier<Map<String, Long>> counters, LongSupplier pending, String sending) {
        this.counters = counters;
        this.pending = pending;
        this.sending = sending;
    }

    /**
     * The member's value, ready for Jackson: {@code {"sending": "...", "sent": n, "merged": n,
     * "rateLimited": n, "alreadySent": n, "failed": n, "skipped": n, "retried": n, "gaveUp": n,
     * "pending": n}}. {@code sending} says whether the sender runs: {@code "on"}, {@code "off"}
     * ({@code sendFailureReports: false}) or {@code "no transport"} (neither {@code --outbox} nor
     * {@code --smtp}: candidates stay pending).
     */
    public Map<String, Object> json() {
        Map<String, Long> now = counters.get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sending", sending);
        for (String name : COUNTERS) {
            out.put(name, now.getOrDefault(name, 0L));
        }
        out.put("pending", pending.getAsLong());
        return out;
    }
}
