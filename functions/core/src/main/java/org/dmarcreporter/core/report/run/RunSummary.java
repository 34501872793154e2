package org.dmarcreporter.core.report.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * What a run did, per policy domain and window: the answer of send-now and of the aggregate
 * function's invoke, printed by the local {@code send-now} command. Shape: {@code docs/send-now.md}.
 *
 * @param trigger  {@code midnight} or {@code send-now}
 * @param domain   the one domain asked for, or null for all
 * @param cutAt    the send-now cut written (epoch seconds), or null
 * @param reports  one entry per window looked at, ordered by domain then window start
 * @param totals   counts over {@code reports}, for logs and metrics
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSummary(
        String trigger,
        String domain,
        boolean dryRun,
        long startedAt,
        Long cutAt,
        List<WindowReport> reports,
        Totals totals) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunSummary {
        reports = List.copyOf(reports);
    }

    /**
     * True when any window or recipient failed in this run (the local command then exits
     * non-zero): a window error, a recipient that failed temporarily, or one given up in this run
     * (it refused the report permanently, or ran out of attempts: that report failed, even though
     * it is not retried). A recipient given up by an earlier run ({@code already-given-up}) and
     * a report skipped for its size are not failures of this run.
     */
    public boolean anyFailed() {
        return totals.errors() > 0 || totals.failed() > 0 || totals.givenUp() > 0;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("summary not serializable", e);
        }
    }

    /**
     * One window.
     *
     * @param windowEnd  exclusive end (epoch seconds)
     * @param status     {@code reported} (every recipient final), {@code pending} (a recipient is
     *                   waiting for a retry), {@code not-sent} (sendAggregateReports false),
     *                   {@code no-recipients}, {@code empty}, {@code already-reported},
     *                   {@code busy} (another run holds the window's lease and reports it: left
     *                   to that run), {@code dry-run}, {@code error}
     * @param reason     why, for not-sent, no-recipients and error
     * @param bytes      size of the gzip report, when one was rendered
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WindowReport(
            String domain,
            long windowStart,
            long windowEnd,
            String reportId,
            DateRange dateRange,
            String status,
            String reason,
            Long rows,
            Long messages,
            Long bytes,
            List<RecipientReport> recipients) {
        public WindowReport {
            recipients = List.copyOf(recipients);
        }
    }

    /** RFC 9990 §3.1.1.4 {@code date_range}: first and last second. */
    public record DateRange(long begin, long end) {}

    /**
     * One recipient (or an rua URI that never became one).
     *
     * @param recipient the mailbox, or null when the URI gave none (skipped, deferred)
     * @param uri       the rua URI, or {@code copyReportsTo} for a copy
     * @param status    {@code sent}, {@code already-sent}, {@code skipped}, {@code failed} (will be
     *                  retried from {@code nextRetry}), {@code deferred} (waiting for its retry
     *                  time, or a DNS check that failed temporarily), {@code given-up} (in this
     *                  run: refused permanently, or out of attempts), {@code already-given-up}
     *                  (by an earlier run), {@code dry-run}
     * @param nextRetry epoch second of the next attempt, for failed and deferred
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RecipientReport(
            String recipient, String uri, String status, String reason, Integer attempts, Long nextRetry) {}

    /**
     * @param notSettled windows ended less than the settle time ago (or still open), left for a later run
     * @param givenUp    recipients given up in this run
     * @param tooLarge   reports skipped for their size
     * @param busy       windows left to another run that holds their lease
     */
    public record Totals(
            int windows,
            int reported,
            int pending,
            int errors,
            int sent,
            int skipped,
            int failed,
            int deferred,
            int givenUp,
            int tooLarge,
            int notSettled,
            int busy) {

        static Totals of(List<WindowReport> reports, int notSettled) {
            int reported = 0;
            int pending = 0;
            int errors = 0;
            int sent = 0;
            int skipped = 0;
            int failed = 0;
            int deferred = 0;
            int givenUp = 0;
            int tooLarge = 0;
            int busy = 0;
            for (WindowReport w : reports) {
                switch (w.status()) {
                    case "reported" -> reported++;
                    case "pending" -> pending++;
                    case "error" -> errors++;
                    case "busy" -> busy++;
                    default -> {}
                }
                for (RecipientReport r : w.recipients()) {
                    switch (r.status()) {
                        case "sent" -> sent++;
                        case "skipped" -> skipped++;
                        case "failed" -> failed++;
                        case "deferred" -> deferred++;
                        case "given-up" -> givenUp++;
                        default -> {}
                    }
                    if (r.reason() != null && r.reason().startsWith(AggregateRun.TOO_LARGE)) {
                        tooLarge++;
                    }
                }
            }
            return new Totals(
                    reports.size(),
                    reported,
                    pending,
                    errors,
                    sent,
                    skipped,
                    failed,
                    deferred,
                    givenUp,
                    tooLarge,
                    notSettled,
                    busy);
        }
    }
}
