package org.dmarcreporter.aggregate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportPlanner;
import org.dmarcreporter.core.window.ReportingWindows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The midnight run in AWS ({@code docs/aggregate-reports.md}, "In AWS"): plans the unreported
 * windows page by page ({@link ReportPlanner}: one page of the index in memory, however many
 * domains) and puts one work item per (domain, window) on the queue, ten per batch.
 *
 * <p>Only windows that started before the last UTC midnight are queued: they have all ended by
 * then (at that midnight or at an earlier send-now cut), so they are settled {@code settle} after
 * it. The run reads the window index only from that moment on (it waits when the schedule starts
 * it earlier): a request accepted just before midnight may write a window's first result, and so
 * its index entry, up to the ingest deadline after midnight, and a plan read at 00:00:00 would
 * leave that window for the next night ({@code docs/reporting-windows.md}). Messages sent before
 * that moment all the same (a pause that returns early) are delayed until it, so the worker never
 * reads a window that a late ingest could still write. Windows opened since midnight are
 * left for the next night. A run that is late (a missed night, a retried invocation) queues every
 * older unreported window too: that is the catch-up, each window with its own date range.
 */
final class FanOut {

    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** SQS's limit on a batch (all entries together); we stay under it with room for attributes. */
    static final int MAX_BATCH_BYTES = 200 * 1024;

    /** SQS's longest {@code DelaySeconds}. */
    static final int MAX_DELAY = 900;

    private final ReportLedger ledger;
    private final WorkQueue queue;
    private final Clock clock;
    private final AggregateRun.Pause pause;
    private final Duration settle;
    private final int pageSize;

    /** @param pause waits until midnight + settle ({@code Thread::sleep} in AWS; tests move the clock) */
    FanOut(ReportLedger ledger, WorkQueue queue, Clock clock, AggregateRun.Pause pause, Duration settle, int pageSize) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.settle = Objects.requireNonNull(settle, "settle");
        this.pageSize = pageSize;
    }

    /** What one fan-out did; the invoke answers it as JSON. */
    record Result(long startedAt, long before, int queued, int batches, int left, int delaySeconds) {
        byte[] toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("trigger", "midnight");
            node.put("startedAt", startedAt);
            node.put("windowsBefore", before);
            node.put("queued", queued);
            node.put("batches", batches);
            node.put("leftForLater", left);
            node.put("delaySeconds", delaySeconds);
            return node.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    Result run() {
        long startedAt = clock.instant().getEpochSecond();
        long midnight = Math.floorDiv(startedAt, ReportingWindows.DAY_SECONDS) * ReportingWindows.DAY_SECONDS;
        long settled = midnight + settle.getSeconds();
        if (startedAt < settled) {
            try {
                pause.pause(Duration.ofSeconds(settled - startedAt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for midnight's windows to settle", e);
            }
        }
        long now = clock.instant().getEpochSecond();
        int delay = (int) Math.max(0, Math.min(MAX_DELAY, settled - now));
        Iterator<IndexedWindow> plan = new ReportPlanner(ledger, pageSize).plan(null);
        List<String> batch = new ArrayList<>(WorkQueue.MAX_BATCH);
        int batchBytes = 0;
        int queued = 0;
        int batches = 0;
        int left = 0;
        while (plan.hasNext()) {
            IndexedWindow item = plan.next();
            if (item.window().start() >= midnight) {
                left++;
                continue;
            }
            String body = WorkItem.toBody(item);
            int size = body.getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && (batch.size() == WorkQueue.MAX_BATCH || batchBytes + size > MAX_BATCH_BYTES)) {
                queue.sendBatch(List.copyOf(batch), delay);
                batches++;
                batch.clear();
                batchBytes = 0;
            }
            batch.add(body);
            batchBytes += size;
            queued++;
        }
        if (!batch.isEmpty()) {
            queue.sendBatch(List.copyOf(batch), delay);
            batches++;
        }
        Result result = new Result(startedAt, midnight, queued, batches, left, delay);
        LOG.info(
                "midnight fan-out: {} windows queued in {} batches (visible in {} s), {} opened since midnight left",
                queued,
                batches,
                delay,
                left);
        return result;
    }
}
