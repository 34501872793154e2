package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.dmarcreporter.core.report.run.InMemoryReportLedger;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.RunOptions;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.Test;

class FanOutTest {

    static final long DAY = ReportingWindows.DAY_SECONDS;
    static final long T0 = 1764547200L;
    static final String RECORD = "v=DMARC1; p=none; rua=mailto:dmarc@example.com";

    final InMemoryReportLedger ledger = new InMemoryReportLedger();
    final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0 + DAY + 5));

    /** Counts what it is given and keeps nothing but counts: the test must not hold the plan itself. */
    final class CountingQueue implements WorkQueue {
        int batches;
        int largest;
        int bodies;
        int delay = -1;
        /** After each batch: the pages the planner had read by then, minus the pages the batches needed. */
        int mostPagesAhead;

        final BitSet seen = new BitSet();

        @Override
        public void sendBatch(List<String> batch, int delaySeconds) {
            batches++;
            largest = Math.max(largest, batch.size());
            delay = delaySeconds;
            for (String body : batch) {
                IndexedWindow item = WorkItem.fromBody(body);
                String domain = item.window().policyDomain();
                int n = Integer.parseInt(domain.substring(1, domain.indexOf('.')));
                if (seen.get(n) || !RECORD.equals(item.policyRecord())) {
                    throw new AssertionError("queued twice or without its record: " + body);
                }
                seen.set(n);
                bodies++;
            }
            int pagesNeeded = (bodies + 499) / 500;
            mostPagesAhead = Math.max(mostPagesAhead, ledger.windowPages() - pagesNeeded);
        }
    }

    /** Waits by moving the clock; what a test wants to happen meanwhile (a late ingest) runs first. */
    Runnable duringPause = () -> {};

    List<Duration> paused = new ArrayList<>();

    FanOut fanOut(WorkQueue queue) {
        return new FanOut(
                ledger,
                queue,
                clock,
                d -> {
                    paused.add(d);
                    duringPause.run();
                    clock.advance(d);
                },
                RunOptions.SETTLE,
                500);
    }

    @Test
    void plans100000DomainsPageByPageIntoBatchesOfTen() {
        for (int i = 0; i < 100_000; i++) {
            ledger.index(new ReportingWindow("d" + i + ".example", T0), RECORD);
        }
        for (int i = 0; i < 7; i++) {
            ledger.index(new ReportingWindow("today" + i + ".example", T0 + DAY), RECORD);
        }
        CountingQueue queue = new CountingQueue();

        FanOut.Result result = fanOut(queue).run();

        assertThat(queue.bodies).isEqualTo(100_000);
        assertThat(queue.seen.cardinality()).isEqualTo(100_000);
        assertThat(queue.batches).isEqualTo(10_000);
        assertThat(queue.largest).isEqualTo(10);
        assertThat(result.queued()).isEqualTo(100_000);
        assertThat(result.batches()).isEqualTo(10_000);
        assertThat(result.left()).isEqualTo(7);
        // One page of the index at a time: each batch went out before the planner read further
        // than the page it came from (plus the one it was reading).
        assertThat(ledger.largestWindowPage()).isLessThanOrEqualTo(500);
        assertThat(queue.mostPagesAhead).isLessThanOrEqualTo(1);
        assertThat(ledger.windowPages()).isBetween(201, 202);
        // Nothing is marked: the workers do that.
        assertThat(ledger.unreportedCount()).isEqualTo(100_007);
    }

    @Test
    void theIndexIsReadOnlyOnceTheWindowsOfLastMidnightHaveSettled() {
        ledger.index(new ReportingWindow("d1.example", T0), RECORD);
        // a request accepted at 23:59:59 writes its window's first result (its index entry) at
        // 00:00:08, within the ingest deadline, while the fan-out started at 00:00:05 waits
        duringPause = () -> ledger.index(new ReportingWindow("d2.example", T0), RECORD);
        List<String> bodies = new ArrayList<>();
        int[] delay = {-1};

        FanOut.Result result = fanOut((batch, d) -> {
                    bodies.addAll(batch);
                    delay[0] = d;
                })
                .run();

        assertThat(paused).containsExactly(RunOptions.SETTLE.minusSeconds(5));
        assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(T0 + DAY).plus(RunOptions.SETTLE));
        assertThat(result.queued()).isEqualTo(2);
        assertThat(bodies)
                .extracting(b -> WorkItem.fromBody(b).window().policyDomain())
                .containsExactlyInAnyOrder("d1.example", "d2.example");
        assertThat(delay[0]).isZero();
        assertThat(result.startedAt()).isEqualTo(T0 + DAY + 5);
    }

    @Test
    void aRunLaterThanTheSettleTimePlansAtOnce() {
        ledger.index(new ReportingWindow("d1.example", T0), RECORD);
        clock.set(Instant.ofEpochSecond(T0 + DAY).plus(RunOptions.SETTLE).plusSeconds(1));
        CountingQueue later = new CountingQueue();

        fanOut(later).run();

        assertThat(paused).isEmpty();
        assertThat(later.delay).isZero();
        assertThat(later.batches).isEqualTo(1);
    }

    @Test
    void aWindowEndedByAnEarlierCutIsQueuedAndOneOpenedSinceMidnightIsNot() {
        ledger.index(new ReportingWindow("d1.example", T0 + 3600), RECORD); // after a send-now cut
        ledger.index(new ReportingWindow("d1.example", T0 + DAY), RECORD);
        CountingQueue queue = new CountingQueue();

        FanOut.Result result = fanOut(queue).run();

        assertThat(result.queued()).isEqualTo(1);
        assertThat(result.left()).isEqualTo(1);
    }

    @Test
    void largeRecordsMakeSmallerBatchesUnderTheSqsBatchLimit() {
        String big = RECORD + "; x=" + "a".repeat(40_000);
        for (int i = 0; i < 10; i++) {
            ledger.index(new ReportingWindow("d" + i + ".example", T0), big);
        }
        List<Integer> sizes = new ArrayList<>();
        fanOut((batch, delay) ->
                        sizes.add(batch.stream().mapToInt(b -> b.length()).sum()))
                .run();

        assertThat(sizes).hasSizeGreaterThan(1);
        assertThat(sizes).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(FanOut.MAX_BATCH_BYTES));
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isGreaterThan(400_000);
    }

    @Test
    void aQueueFailureFailsTheRun() {
        ledger.index(new ReportingWindow("d1.example", T0), RECORD);

        assertThatThrownBy(() -> fanOut((batch, delay) -> {
                            throw new IllegalStateException("SQS refused a work item: x");
                        })
                        .run())
                .hasMessageContaining("SQS refused");
    }

    @Test
    void settleIsTheDocumentedHalfMinute() {
        assertThat(RunOptions.SETTLE).isEqualTo(Duration.ofSeconds(30));
    }
}
