package org.dmarcreporter.core.report.run;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.window.ReportingWindow;

/** A window's rows, read one page at a time while the XML writer consumes them; counts what passed. */
final class LedgerRows implements Iterator<CountedRow> {

    private final ReportLedger ledger;
    private final ReportingWindow window;
    private final int pageSize;
    private List<CountedRow> page = List.of();
    private int next;
    private String token;
    private boolean last;
    private long rows;
    private long messages;

    LedgerRows(ReportLedger ledger, ReportingWindow window, int pageSize) {
        this.ledger = ledger;
        this.window = window;
        this.pageSize = pageSize;
    }

    @Override
    public boolean hasNext() {
        while (next == page.size() && !last) {
            ReportLedger.RowPage p = ledger.rows(window, token, pageSize);
            page = p.rows();
            next = 0;
            token = p.nextPageToken();
            last = token == null;
        }
        return next < page.size();
    }

    @Override
    public CountedRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        CountedRow row = page.get(next++);
        rows++;
        messages += row.count();
        return row;
    }

    long rows() {
        return rows;
    }

    long messages() {
        return messages;
    }
}
