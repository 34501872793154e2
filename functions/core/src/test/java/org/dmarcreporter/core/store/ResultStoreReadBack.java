package org.dmarcreporter.core.store;

import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * What a store holds, read back for {@link ResultStoreContract} without adding reads to the
 * {@link ResultStore} port. Each edge implements it over its own test fixture (SQL queries, table
 * scans), reading what was committed, as a report run would.
 *
 * <p>The questions are the ones the report functions will ask (the rows of a window, the windows
 * with data and their policy records, the failure reports to send), so that when the port gets
 * real read methods an implementation becomes a call of those and then goes away.
 */
public interface ResultStoreReadBack {

    /**
     * Every row counted in {@code window}, with its count; empty when none. A store that holds two
     * counters for one row must fail here (e.g. {@code IllegalStateException}), not add them up:
     * results of a row share one counter.
     */
    Map<AggregateRow, Long> rows(ReportingWindow window);

    /** The window index: every window holding data, with the policy record kept for it. */
    Map<ReportingWindow, String> windows();

    /** Every stored failure candidate, in any order, each as many times as it is stored. */
    List<FailureCandidate> candidates();
}
