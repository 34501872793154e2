package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;

/** How a retry follows the chunk plan an earlier attempt stored; no DynamoDB needed. */
class ResumedPlanTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final ReportingWindow EXAMPLE = new ReportingWindow("example.com", 1_795_737_600L);
    private static final IntPredicate NO_MARKER_READ = n -> {
        throw new AssertionError("marker " + n + " read, but the chunk needs no read");
    };

    /** With a key and no de-dup, a chunk holds the marker, the window and 98 rows. */
    private static final ChunkPlanner PLANNER = new ChunkPlanner(false, true, r -> 400, c -> 2_000);

    /** 150 results, each its own row: chunk 0 = indexes 0..97, chunk 1 = 98..149. */
    private static final List<StoredResult> ALL = StoreFixtures.spread("r", EXAMPLE, 150, 150, T0, false);

    private static List<StoredResult> without(int... indexes) {
        Set<Integer> drop = new HashSet<>();
        for (int i : indexes) {
            drop.add(i);
        }
        return ALL.stream().filter(r -> !drop.contains(r.requestIndex())).toList();
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    private static List<List<Integer>> indexes(List<PlannedChunk> chunks) {
        return chunks.stream().map(c -> c.results().stream().map(StoredResult::requestIndex).sorted().toList()).toList();
    }

    @Test
    void theSameResultsFollowTheStoredPlanWithoutChangingIt() {
        ChunkPlan stored = ChunkPlan.of(PLANNER.plan(ALL));
        assertThat(stored.chunks()).containsExactly(range(0, 98), range(98, 150));

        ResumedPlan resumed = ResumedPlan.of(stored, ALL, PLANNER, NO_MARKER_READ);

        assertThat(resumed.changed()).isFalse();
        assertThat(resumed.plan()).isEqualTo(stored);
        assertThat(resumed.chunks()).extracting(PlannedChunk::number).containsExactly(0, 1);
        assertThat(indexes(resumed.chunks())).isEqualTo(stored.chunks());
    }

    @Test
    void aResultInNoStoredChunkGoesIntoANewChunkNumberedAfterTheStoredOnes() {
        // First attempt: result 0 not storable. Its plan: 1..98 | 99..149.
        ChunkPlan stored = ChunkPlan.of(PLANNER.plan(without(0)));
        assertThat(stored.chunks()).containsExactly(range(1, 99), range(99, 150));

        ResumedPlan resumed = ResumedPlan.of(stored, ALL, PLANNER, NO_MARKER_READ);

        assertThat(resumed.changed()).isTrue();
        assertThat(resumed.chunks()).extracting(PlannedChunk::number).containsExactly(0, 1, 2);
        assertThat(indexes(resumed.chunks())).containsExactly(range(1, 99), range(99, 150), List.of(0));
        assertThat(resumed.plan().encode()).endsWith("|0");
    }

    @Test
    void aStoredChunkMissingAResultIsSkippedWhenItsMarkerExists() {
        ChunkPlan stored = ChunkPlan.of(PLANNER.plan(ALL));
        List<Integer> read = new ArrayList<>();

        ResumedPlan resumed = ResumedPlan.of(stored, without(120), PLANNER, n -> read.add(n));

        assertThat(read).containsExactly(1);
        assertThat(resumed.changed()).isFalse();
        assertThat(resumed.chunks()).extracting(PlannedChunk::number).containsExactly(0);
    }

    @Test
    void aStoredChunkMissingAResultIsAbandonedWhenItsMarkerIsAbsent() {
        ChunkPlan stored = ChunkPlan.of(PLANNER.plan(ALL));

        ResumedPlan resumed = ResumedPlan.of(stored, without(120), PLANNER, n -> false);

        assertThat(resumed.changed()).isTrue();
        List<Integer> rest = range(98, 150);
        rest.remove(Integer.valueOf(120));
        assertThat(resumed.plan().chunks()).containsExactly(range(0, 98), List.of(), rest);
        assertThat(resumed.plan().encode()).contains("|-|");
        assertThat(resumed.chunks()).extracting(PlannedChunk::number).containsExactly(0, 2);

        // A third attempt that can store 120 again puts it in a chunk of its own.
        ResumedPlan third = ResumedPlan.of(ChunkPlan.decode(resumed.plan().encode()), ALL, PLANNER, NO_MARKER_READ);
        assertThat(indexes(third.chunks())).containsExactly(range(0, 98), rest, List.of(120));
        assertThat(third.chunks()).extracting(PlannedChunk::number).containsExactly(0, 2, 3);
    }

    @Test
    void aStoredChunkThatNoLongerFitsOneTransactionIsSplitIntoNewChunks() {
        // First attempt: results 98..299 shared one row, so chunk 1 held all 202 of them.
        List<StoredResult> first = new ArrayList<>();
        List<StoredResult> now = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            first.add(StoreFixtures.result(null, EXAMPLE, StoreFixtures.row("example.com", Math.min(i, 98))));
            now.add(StoreFixtures.result(null, EXAMPLE, StoreFixtures.row("example.com", i)));
        }
        ChunkPlan stored = ChunkPlan.of(PLANNER.plan(StoreFixtures.indexed(first)));
        assertThat(stored.chunks()).containsExactly(range(0, 98), range(98, 300));

        ResumedPlan resumed = ResumedPlan.of(stored, StoreFixtures.indexed(now), PLANNER, n -> false);

        assertThat(resumed.plan().chunks().get(1)).isEmpty();
        assertThat(resumed.chunks()).extracting(PlannedChunk::number).containsExactly(0, 2, 3, 4);
        assertThat(resumed.chunks()).allSatisfy(c -> assertThat(PLANNER.plan(c.results())).hasSize(1));
        assertThat(resumed.chunks().stream().mapToInt(c -> c.results().size()).sum()).isEqualTo(300);
    }

    @Test
    void thePlanSurvivesItsStoredForm() {
        ChunkPlan plan = new ChunkPlan(List.of(List.of(3, 1, 2), List.of(), List.of(0), List.of(7, 4)));

        assertThat(plan.encode()).isEqualTo("1,2,3|-|0|4,7");
        assertThat(ChunkPlan.decode(plan.encode())).isEqualTo(plan);
        assertThat(ChunkPlan.decode(null)).isEqualTo(ChunkPlan.EMPTY);
        assertThat(ChunkPlan.EMPTY.encode()).isEmpty();
        assertThatThrownBy(() -> ChunkPlan.decode("1,x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ChunkPlan.decode("1,2|2").chunkByIndex()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fiveHundredResultsTakeAboutTwoKilobytes() {
        List<StoredResult> results = StoreFixtures.spread("m", EXAMPLE, 500, 50, T0, false);
        ChunkPlan plan = ChunkPlan.of(new ChunkPlanner(true, true, r -> 400, c -> 2_000).plan(results));

        assertThat(plan.encode().length()).isBetween(1_800, 2_000);
    }
}
