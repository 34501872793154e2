package org.dmarcreporter.aws.dynamodb;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.window.WindowTiming;

/** The state of storing one batch: its deadline, what it wrote, and its JSON built once. */
final class WriteRun {

    private final IngestBatch batch;
    private final Clock clock;
    private final AtomicInteger itemWrites = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final Map<String, String> candidateJson = new ConcurrentHashMap<>();

    WriteRun(IngestBatch batch, Clock clock) {
        this.batch = batch;
        this.clock = clock;
    }

    IngestBatch batch() {
        return batch;
    }

    /** The batch's clock reading in epoch seconds: the base of every TTL it writes. */
    long storedAtSeconds() {
        return batch.storedAt().getEpochSecond();
    }

    long nowSeconds() {
        return clock.instant().getEpochSecond();
    }

    /**
     * Called before every write. The batch chose its windows at {@code storedAt}; the aggregate
     * run waits {@link WindowTiming#CUT_CACHE} plus {@link WindowTiming#INGEST_DEADLINE} after a cut
     * before it reads a window, so a write later than the deadline could land in a window that
     * is already being reported. Give up instead: the client retries (503).
     */
    void checkDeadline() {
        Duration elapsed = Duration.between(batch.storedAt(), clock.instant());
        if (elapsed.compareTo(WindowTiming.INGEST_DEADLINE) > 0) {
            throw new StoreUnavailableException("storing the batch took " + elapsed.toMillis()
                    + " ms, longer than the ingest deadline of " + WindowTiming.INGEST_DEADLINE.toSeconds()
                    + " s; nothing more was written, retry the request");
        }
    }

    void wrote(int items) {
        itemWrites.addAndGet(items);
    }

    void duplicate(int results) {
        duplicates.addAndGet(results);
    }

    int itemWrites() {
        return itemWrites.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    String candidateJson(FailureCandidate candidate) {
        return candidateJson.computeIfAbsent(candidate.id(), id -> StoredJson.candidateJson(candidate));
    }

    /** Jittered exponential back-off for conflicts and throttling, bounded by the deadline. */
    void backoff(int attempt) {
        long capMillis = Math.min(400, 10L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(capMillis / 2, capMillis + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing the batch", e);
        }
        checkDeadline();
    }
}
