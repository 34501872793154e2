package org.dmarcreporter.core.report.run;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * What the aggregate run reads and writes in the store: the index of unreported windows, a
 * window's counters, send-now cuts, delivery state per (window, recipient) and the reported
 * marker. DynamoDB in AWS, SQLite locally, memory in tests ({@code docs/aggregate-reports.md}).
 *
 * <p>Every read is paged with an opaque token and a bounded page size, so that neither 100,000
 * domains nor a window of 1,000,000 rows is ever held in memory: a DynamoDB implementation maps a
 * page to one Query (token = the shard and its {@code LastEvaluatedKey}), SQLite to a keyset
 * {@code SELECT ... WHERE key > ? ORDER BY key LIMIT ?}.
 */
public interface ReportLedger {

    /** The largest page any implementation must serve; callers never ask for more. */
    int MAX_PAGE = 1_000;

    /**
     * One page of the windows that have data and are not reported yet, ordered by domain then
     * start within whatever partitioning the store uses (each window exactly once over all pages).
     *
     * @param policyDomain only this domain's windows, or null for all domains
     * @param pageToken    null for the first page, else {@link WindowPage#nextPageToken()}
     * @param pageSize     1 to {@link #MAX_PAGE}
     */
    WindowPage unreportedWindows(String policyDomain, String pageToken, int pageSize);

    /** One page of a window's counted rows, in a stable order (each row once over all pages). */
    RowPage rows(ReportingWindow window, String pageToken, int pageSize);

    /**
     * The send-now cuts that apply to {@code policyDomain}: its own and the all-domains ones,
     * ascending, as far back as {@link org.dmarcreporter.core.store.Retention#REPORT_DATA}.
     * Read without cache (the run must see the cut it just wrote).
     */
    List<Long> cuts(String policyDomain);

    /**
     * Writes a cut at {@code at} (epoch seconds) for {@code policyDomain}, or for all domains
     * when it is null; earlier cuts are kept (they end earlier windows).
     */
    void writeCut(String policyDomain, long at);

    /** Delivery state of each recipient of the window's report, keyed by recipient; empty before the first attempt. */
    Map<String, DeliveryState> deliveries(ReportingWindow window);

    /**
     * Records what became of one recipient. A final state ({@link DeliveryState#isFinal()}: sent,
     * given up) is never overwritten, by anything: a run that read an older state (a stale run whose
     * lease ran out) cannot turn a recipient that has the report back into one that will be sent it
     * again. A non-final state is overwritten.
     */
    void recordDelivery(ReportingWindow window, String recipient, DeliveryState state);

    /**
     * Takes the window's report lease for {@code holder} until {@code until} (epoch seconds), in
     * one conditional write: true when nobody holds it or the lease held ran out before {@code now};
     * false (and nothing changed) while another holder's lease runs. Only the holder sends the
     * window's report, so two runs on the same window (a message SQS delivers twice, a send-now
     * during the midnight backlog, a retried invoke) never both send it ({@code
     * docs/aggregate-reports.md}, "One run per window").
     */
    boolean takeLease(ReportingWindow window, String holder, long now, long until);

    /** Ends {@code holder}'s lease on the window; nothing when the lease is someone else's (or gone). */
    void releaseLease(ReportingWindow window, String holder);

    /**
     * Removes the window from the unreported index and keeps {@code marker}, in one conditional
     * write: false (and nothing changed) when the window was already marked.
     */
    boolean markReported(ReportingWindow window, ReportedWindow marker);

    /** The marker of a window reported earlier. */
    Optional<ReportedWindow> reported(ReportingWindow window);

    /**
     * An entry of the unreported-window index.
     *
     * @param policyRecord the DMARC record seen last in the window ({@code policy_published})
     */
    record IndexedWindow(ReportingWindow window, String policyRecord) {}

    /** @param nextPageToken null on the last page */
    record WindowPage(List<IndexedWindow> windows, String nextPageToken) {
        public WindowPage {
            windows = List.copyOf(windows);
        }
    }

    /** @param nextPageToken null on the last page */
    record RowPage(List<CountedRow> rows, String nextPageToken) {
        public RowPage {
            rows = List.copyOf(rows);
        }
    }

    /**
     * Kept once a window is reported, so that no later run reports it again.
     *
     * @param begin   the report's date_range begin
     * @param end     the report's date_range end (window end - 1)
     * @param outcome short text: "reported", "not sent: ...", "no recipients"
     */
    record ReportedWindow(String reportId, long begin, long end, long reportedAt, String outcome) {}
}
