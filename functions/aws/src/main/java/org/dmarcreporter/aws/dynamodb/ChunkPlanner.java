package org.dmarcreporter.aws.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * Splits a batch's results into chunks of at most {@link #MAX_ITEMS} items each (one DynamoDB
 * transaction per chunk).
 *
 * <p>Results are taken window by window and row by row (both in first-seen order), so the messages of one counter row
 * share a transaction and the row's ADD is written once per chunk instead of once per message:
 * 500 messages over 50 rows need about 6 transactions of ~93 items with de-dup on, one with it
 * off. A chunk holds one marker item (the write marker, or the keyed request's progress update,
 * see {@link ChunkWriter}), per result its message marker (when {@code markMessages} and it has
 * a messageId), and per distinct row and window one item each. Failure candidates are written
 * outside the transactions ({@link CandidateWriter}).
 */
final class ChunkPlanner {

    /** DynamoDB's limit of items per TransactWriteItems. */
    static final int MAX_ITEMS = 100;

    /** DynamoDB allows 4 MB per transaction; the estimate below leaves room for names and overhead. */
    static final int MAX_BYTES = 3_000_000;

    /** Rough size of a key-only item (marker) or the window index item without its record. */
    private static final int SMALL_ITEM_BYTES = 200;

    private final boolean markMessages;
    private final ToIntFunction<StoredResult> rowBytes;

    /**
     * @param rowBytes UTF-8 size of a result's counter item (row JSON and keys)
     */
    ChunkPlanner(boolean markMessages, ToIntFunction<StoredResult> rowBytes) {
        this.markMessages = markMessages;
        this.rowBytes = rowBytes;
    }

    List<List<StoredResult>> plan(List<StoredResult> results) {
        // Windows in first-seen order, rows in first-seen order within each: a chunk then spans as
        // few windows (index updates) and rows (counter updates) as it can.
        Map<ReportingWindow, Map<String, List<StoredResult>>> byWindow = new LinkedHashMap<>();
        for (StoredResult r : results) {
            byWindow.computeIfAbsent(r.window(), w -> new LinkedHashMap<>())
                    .computeIfAbsent(RowIncrement.identity(r), k -> new ArrayList<>())
                    .add(r);
        }
        List<Map.Entry<String, List<StoredResult>>> byRow = new ArrayList<>();
        byWindow.values().forEach(rows -> byRow.addAll(rows.entrySet()));
        List<List<StoredResult>> chunks = new ArrayList<>();
        Chunk chunk = new Chunk();
        for (Map.Entry<String, List<StoredResult>> group : byRow) {
            for (StoredResult r : group.getValue()) {
                if (!chunk.results.isEmpty() && !chunk.fits(group.getKey(), r)) {
                    chunks.add(chunk.results);
                    chunk = new Chunk();
                }
                chunk.add(group.getKey(), r);
            }
        }
        if (!chunk.results.isEmpty()) {
            chunks.add(chunk.results);
        }
        return chunks;
    }

    /** Same identity as {@code RowIncrement.merge}: one counter item per (domain, window, row). */
    private final class Chunk {
        final List<StoredResult> results = new ArrayList<>();
        final Set<String> rows = new HashSet<>();
        final Set<ReportingWindow> windows = new HashSet<>();
        // The marker item; a keyed request's progress update lists up to 100 indexes.
        int items = 1;
        long bytes = 2 * SMALL_ITEM_BYTES + 4 * MAX_ITEMS;

        boolean fits(String row, StoredResult r) {
            return items + itemsAdded(row, r) <= MAX_ITEMS && bytes + bytesAdded(row, r) <= MAX_BYTES;
        }

        void add(String row, StoredResult r) {
            items += itemsAdded(row, r);
            bytes += bytesAdded(row, r);
            rows.add(row);
            windows.add(r.window());
            results.add(r);
        }

        private int itemsAdded(String row, StoredResult r) {
            int n = 0;
            if (markMessages && r.messageId() != null) {
                n++;
            }
            if (!rows.contains(row)) {
                n++;
            }
            if (!windows.contains(r.window())) {
                n++;
            }
            return n;
        }

        private long bytesAdded(String row, StoredResult r) {
            long b = 0;
            if (markMessages && r.messageId() != null) {
                b += SMALL_ITEM_BYTES + utf8(r.messageId());
            }
            if (!rows.contains(row)) {
                b += rowBytes.applyAsInt(r);
            }
            if (!windows.contains(r.window())) {
                b += SMALL_ITEM_BYTES + utf8(r.policyRecord());
            }
            return b;
        }
    }

    static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
