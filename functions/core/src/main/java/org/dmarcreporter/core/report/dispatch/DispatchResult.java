package org.dmarcreporter.core.report.dispatch;

import java.util.List;
import java.util.Objects;

/**
 * What one {@link FailureDispatcher#dispatch} or {@link FailureDispatcher#flush} did, per report
 * and recipient, for logs and answers (immutable).
 *
 * @param reports what became of each planned report (or of each merged report for a flush)
 * @param retry   true when the caller should call again later with the same candidate (DNS
 *                or mail failed temporarily; AWS: a batch item failure; local: back-off): the
 *                send markers make the repeat send only what was not sent
 * @param notes   why nothing or less was planned, for logs
 */
public record DispatchResult(List<Report> reports, boolean retry, List<String> notes) {

    public DispatchResult {
        reports = List.copyOf(reports);
        notes = List.copyOf(notes);
    }

    static final DispatchResult NOTHING = new DispatchResult(List.of(), false, List.of());

    /** How many reports ended with {@code status}. */
    public long count(Status status) {
        return reports.stream().filter(r -> r.status() == status).count();
    }

    /**
     * One report to one recipient.
     *
     * @param recipient   the address (for a skipped {@code ruf} URI: the URI)
     * @param reportKey   the report's key ({@code <candidate id>/dmarc}, ...; for a merged report
     *                    its own key), null for a skipped URI
     * @param authFailure the {@code Auth-Failure} value, null for a skipped URI
     * @param status      what became of it
     * @param incidents   how many incidents it stands for (1, or N for a merged report)
     * @param detail      the transport's reply, the reason of a skip, failure or hold
     */
    public record Report(
            String recipient, String reportKey, String authFailure, Status status, long incidents, String detail) {
        public Report {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(status, "status");
            detail = detail == null ? "" : detail;
        }
    }

    /** What became of a report. */
    public enum Status {
        /** Handed over to the mail transport. */
        SENT,
        /** Its send marker existed: sent (or merged) by an earlier call. */
        ALREADY_SENT,
        /** Held in its merge slot: goes out in a merged report when the slot is flushed. */
        MERGED,
        /** Dropped: a rate limit refused it past the longest hold (or merging is off). */
        RATE_LIMITED,
        /** The transport refused it permanently (or kept failing past the longest hold). */
        FAILED,
        /** Not sent by choice: the {@code ruf} URI is unusable, or sending is off. */
        SKIPPED,
        /** Not sent now, to be tried again: DNS or mail failed temporarily. */
        RETRY
    }
}
