package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final ReportingWindow EXAMPLE = new ReportingWindow("example.com", 1_795_737_600L);
    private static final ReportingWindow OTHER = new ReportingWindow("other.test", 1_795_737_600L);

    private static ChunkPlanner planner(boolean markMessages) {
        return new ChunkPlanner(markMessages, r -> 400);
    }

    @Test
    void fiveHundredMessagesOverFiftyRowsFitInSixTransactionsOfAtMostOneHundredItems() {
        List<StoredResult> results = StoreFixtures.spread("m", EXAMPLE, 500, 50, T0, false);

        List<List<StoredResult>> chunks = planner(true).plan(results);

        assertThat(chunks).hasSize(6);
        assertThat(chunks).allSatisfy(c -> assertThat(items(c, true)).isLessThanOrEqualTo(100));
        int totalItems = chunks.stream().mapToInt(c -> items(c, true)).sum();
        // 500 message markers, 6 markers (one per transaction), 6 window entries, 55 row updates (5 rows span two
        // chunks)
        assertThat(totalItems).isEqualTo(567);
        assertThat(chunks.stream().mapToInt(List::size).sum()).isEqualTo(500);
    }

    @Test
    void everyRowAppearsInAsFewChunksAsItsMessagesNeed() {
        List<StoredResult> results = StoreFixtures.spread("m", EXAMPLE, 500, 50, T0, true);

        List<List<StoredResult>> chunks = planner(true).plan(results);

        Map<String, Integer> chunksPerRow = new HashMap<>();
        for (List<StoredResult> c : chunks) {
            assertThat(items(c, true)).isLessThanOrEqualTo(100);
            c.stream().map(RowIncrement::identity).distinct().forEach(r -> chunksPerRow.merge(r, 1, Integer::sum));
        }
        // 10 messages per row, chunks of ~100 items: a row is at most split once.
        assertThat(chunksPerRow.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        assertThat(chunksPerRow.values().stream().filter(n -> n == 2).count()).isLessThan(chunks.size());
    }

    @Test
    void theSameResultsAreAlwaysChunkedTheSameWay() {
        List<StoredResult> results = new ArrayList<>(StoreFixtures.spread("a", EXAMPLE, 300, 37, T0, true));
        results.addAll(StoreFixtures.spread("b", OTHER, 200, 13, T0, true));

        List<List<StoredResult>> first = planner(true).plan(results);
        List<List<StoredResult>> second = planner(true).plan(List.copyOf(results));

        assertThat(second).isEqualTo(first);
    }

    @Test
    void withoutMessageMarkersAWholeBatchOfFiftyRowsIsOneTransaction() {
        List<StoredResult> results = StoreFixtures.spread("m", EXAMPLE, 500, 50, T0, false);

        List<List<StoredResult>> chunks = planner(false).plan(results);

        assertThat(chunks).hasSize(1);
        assertThat(items(chunks.get(0), false)).isEqualTo(52); // marker + window + 50 rows
    }

    @Test
    void aChunkStaysUnderTheTransactionSizeLimit() {
        List<StoredResult> results = StoreFixtures.spread("m", EXAMPLE, 100, 100, T0, false);

        List<List<StoredResult>> chunks = new ChunkPlanner(true, r -> 200_000).plan(results);

        // 15 rows of 200 kB would pass 3 MB: a chunk holds at most 14 of them.
        assertThat(chunks).allSatisfy(c -> assertThat(c.size() * 200_000L).isLessThanOrEqualTo(ChunkPlanner.MAX_BYTES));
        assertThat(chunks.stream().mapToInt(List::size).sum()).isEqualTo(100);
    }

    /** Items the chunk's transaction holds, counted the way ChunkWriter builds it (candidates go apart). */
    private static int items(List<StoredResult> chunk, boolean markMessages) {
        Set<String> rows = new HashSet<>();
        Set<ReportingWindow> windows = new HashSet<>();
        Set<String> messages = new HashSet<>();
        for (StoredResult r : chunk) {
            rows.add(RowIncrement.identity(r));
            windows.add(r.window());
            if (markMessages && r.messageId() != null) {
                messages.add(r.messageId());
            }
        }
        return 1 + rows.size() + windows.size() + messages.size();
    }
}
