package org.dmarcreporter.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * One counter update: add {@code count} to a row of a window. Results of a batch that share a
 * row become one increment, which is what keeps writes per message low.
 */
public record RowIncrement(ReportingWindow window, AggregateRow row, String rowKey, long count) {

    /** Equal for two results exactly when they add to the same counter: same window, same row. */
    public static String identity(StoredResult r) {
        return identity(r.window(), r.row().key());
    }

    private static String identity(ReportingWindow window, String rowKey) {
        return window.policyDomain() + '\u001f' + window.start() + '\u001f' + rowKey;
    }

    /** Groups results by (window, row), keeping first-seen order. */
    public static List<RowIncrement> merge(List<StoredResult> results) {
        Map<String, RowIncrement> merged = new LinkedHashMap<>();
        for (StoredResult r : results) {
            String rowKey = r.row().key();
            merged.merge(
                    identity(r.window(), rowKey),
                    new RowIncrement(r.window(), r.row(), rowKey, 1),
                    (a, b) -> new RowIncrement(a.window(), a.row(), a.rowKey(), a.count() + b.count()));
        }
        return new ArrayList<>(merged.values());
    }
}
