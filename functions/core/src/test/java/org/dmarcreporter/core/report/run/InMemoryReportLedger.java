package org.dmarcreporter.core.report.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.WindowPolicy;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * {@link ReportLedger} in memory, also a minimal {@link ResultStore} (counters, window index,
 * cuts; no idempotency or de-duplication) so that tests can ingest into the windows the run then
 * reports. Page tokens are the last key served, as a keyset query would use. Counts the pages it
 * serves, so that tests can show the run reads page by page.
 */
public final class InMemoryReportLedger implements ReportLedger, ResultStore {

    private final NavigableMap<String, IndexedWindow> index = new TreeMap<>();
    private final Map<ReportingWindow, NavigableMap<String, CountedRow>> rows = new HashMap<>();
    private final Map<String, TreeSet<Long>> cuts = new HashMap<>();
    private final Map<ReportingWindow, Map<String, DeliveryState>> deliveries = new HashMap<>();
    private final Map<ReportingWindow, ReportedWindow> reported = new HashMap<>();
    private final Map<ReportingWindow, Lease> leases = new HashMap<>();
    private int windowPages;
    private int largestWindowPage;
    private int rowPages;
    private int largestRowPage;

    private static String key(ReportingWindow w) {
        return w.policyDomain() + '\u001f' + String.format("%012d", w.start());
    }

    // ResultStore (ingest side)

    @Override
    public synchronized long latestCut(String policyDomain) {
        List<Long> all = cuts(policyDomain);
        return all.isEmpty() ? 0 : all.get(all.size() - 1);
    }

    @Override
    public synchronized IngestOutcome ingest(IngestBatch batch) {
        int writes = 0;
        for (RowIncrement inc : RowIncrement.merge(batch.results())) {
            rows.computeIfAbsent(inc.window(), w -> new TreeMap<>())
                    .merge(
                            inc.rowKey(),
                            new CountedRow(inc.row(), inc.count()),
                            (a, b) -> new CountedRow(a.row(), a.count() + b.count()));
            writes++;
        }
        for (WindowPolicy p : WindowPolicy.latest(batch.results())) {
            index.put(key(p.window()), new IndexedWindow(p.window(), p.policyRecord()));
            writes++;
        }
        return new IngestOutcome.Stored(0, writes);
    }

    /** Adds one row directly (tests that need no evaluation). */
    public synchronized void add(ReportingWindow window, String policyRecord, String rowKey, CountedRow row) {
        rows.computeIfAbsent(window, w -> new TreeMap<>())
                .merge(rowKey, row, (a, b) -> new CountedRow(a.row(), a.count() + b.count()));
        index.put(key(window), new IndexedWindow(window, policyRecord));
    }

    /** An index entry without rows (planner tests). */
    public synchronized void index(ReportingWindow window, String policyRecord) {
        index.put(key(window), new IndexedWindow(window, policyRecord));
    }

    // ReportLedger

    @Override
    public synchronized WindowPage unreportedWindows(String policyDomain, String pageToken, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size " + pageSize);
        }
        NavigableMap<String, IndexedWindow> view = pageToken == null ? index : index.tailMap(pageToken, false);
        List<IndexedWindow> page = new ArrayList<>(Math.min(pageSize, view.size()));
        String last = null;
        for (Map.Entry<String, IndexedWindow> e : view.entrySet()) {
            if (policyDomain != null && !e.getValue().window().policyDomain().equals(policyDomain)) {
                continue;
            }
            if (page.size() == pageSize) {
                break;
            }
            page.add(e.getValue());
            last = e.getKey();
        }
        boolean more = last != null
                && index.tailMap(last, false).values().stream()
                        .anyMatch(w -> policyDomain == null
                                || w.window().policyDomain().equals(policyDomain));
        windowPages++;
        largestWindowPage = Math.max(largestWindowPage, page.size());
        return new WindowPage(page, more ? last : null);
    }

    @Override
    public synchronized RowPage rows(ReportingWindow window, String pageToken, int pageSize) {
        NavigableMap<String, CountedRow> all = rows.getOrDefault(window, new TreeMap<>());
        NavigableMap<String, CountedRow> view = pageToken == null ? all : all.tailMap(pageToken, false);
        List<CountedRow> page = new ArrayList<>();
        String last = null;
        for (Map.Entry<String, CountedRow> e : view.entrySet()) {
            if (page.size() == pageSize) {
                break;
            }
            page.add(e.getValue());
            last = e.getKey();
        }
        rowPages++;
        largestRowPage = Math.max(largestRowPage, page.size());
        return new RowPage(page, last != null && all.higherKey(last) != null ? last : null);
    }

    @Override
    public synchronized List<Long> cuts(String policyDomain) {
        TreeSet<Long> all = new TreeSet<>(cuts.getOrDefault(policyDomain, new TreeSet<>()));
        all.addAll(cuts.getOrDefault("*", new TreeSet<>()));
        return List.copyOf(all);
    }

    @Override
    public synchronized void writeCut(String policyDomain, long at) {
        cuts.computeIfAbsent(policyDomain == null ? "*" : policyDomain, d -> new TreeSet<>())
                .add(at);
    }

    @Override
    public synchronized Map<String, DeliveryState> deliveries(ReportingWindow window) {
        return Map.copyOf(deliveries.getOrDefault(window, Map.of()));
    }

    @Override
    public synchronized void recordDelivery(ReportingWindow window, String recipient, DeliveryState state) {
        Map<String, DeliveryState> states = deliveries.computeIfAbsent(window, w -> new HashMap<>());
        DeliveryState before = states.get(recipient);
        if (before == null || !before.isFinal()) {
            states.put(recipient, state);
        }
    }

    @Override
    public synchronized boolean takeLease(ReportingWindow window, String holder, long now, long until) {
        Lease held = leases.get(window);
        if (held != null && !held.holder().equals(holder) && held.until() >= now) {
            return false;
        }
        leases.put(window, new Lease(holder, until));
        return true;
    }

    @Override
    public synchronized void releaseLease(ReportingWindow window, String holder) {
        Lease held = leases.get(window);
        if (held != null && held.holder().equals(holder)) {
            leases.remove(window);
        }
    }

    private record Lease(String holder, long until) {}

    @Override
    public synchronized boolean markReported(ReportingWindow window, ReportedWindow marker) {
        if (reported.containsKey(window)) {
            return false;
        }
        reported.put(window, marker);
        index.remove(key(window));
        return true;
    }

    @Override
    public synchronized Optional<ReportedWindow> reported(ReportingWindow window) {
        return Optional.ofNullable(reported.get(window));
    }

    // For assertions

    public synchronized int unreportedCount() {
        return index.size();
    }

    public synchronized int windowPages() {
        return windowPages;
    }

    public synchronized int largestWindowPage() {
        return largestWindowPage;
    }

    public synchronized int rowPages() {
        return rowPages;
    }

    public synchronized int largestRowPage() {
        return largestRowPage;
    }
}
