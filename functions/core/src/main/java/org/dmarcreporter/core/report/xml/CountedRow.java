package org.dmarcreporter.core.report.xml;

import java.util.Objects;
import org.dmarcreporter.core.report.row.AggregateRow;

/** One {@code record} of a report: a distinct row and how many messages it counts. */
public record CountedRow(AggregateRow row, long count) {

    public CountedRow {
        Objects.requireNonNull(row, "row");
        if (count <= 0) {
            throw new IllegalArgumentException("a report row counts at least one message, not " + count);
        }
    }
}
