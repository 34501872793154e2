package org.dmarcreporter.core.report.run;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.WindowPage;

/**
 * The fan-out plan of a run: the unreported windows, one work item each, read page by page from
 * the window index. The iterator holds one page at a time and asks for the next only when the
 * last item of the current one was taken, so planning 100,000 domains needs the memory of one
 * page: a Lambda can put each item on a queue (SQS with {@code MaximumConcurrency}), a local run
 * can hand them to a bounded pool.
 */
public final class ReportPlanner {

    private final ReportLedger ledger;
    private final int pageSize;

    public ReportPlanner(ReportLedger ledger, int pageSize) {
        if (pageSize < 1 || pageSize > ReportLedger.MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1 to " + ReportLedger.MAX_PAGE + ": " + pageSize);
        }
        this.ledger = ledger;
        this.pageSize = pageSize;
    }

    /** The work items of every unreported window, or of one domain's when {@code policyDomain} is not null. */
    public Iterator<IndexedWindow> plan(String policyDomain) {
        return new Iterator<>() {
            private List<IndexedWindow> page = List.of();
            private int next;
            private String token;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (next == page.size() && !last) {
                    WindowPage p = ledger.unreportedWindows(policyDomain, token, pageSize);
                    page = p.windows();
                    next = 0;
                    token = p.nextPageToken();
                    last = token == null;
                }
                return next < page.size();
            }

            @Override
            public IndexedWindow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.get(next++);
            }
        };
    }
}
