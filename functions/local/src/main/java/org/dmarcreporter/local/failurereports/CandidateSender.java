package org.dmarcreporter.local.failurereports;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.local.store.SqliteFailureMetrics;
import org.dmarcreporter.local.store.SqliteFailureQueue;
import org.dmarcreporter.local.store.SqliteFailureQueue.Pending;
import org.dmarcreporter.local.store.SqliteFailureQueue.Unreadable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background sender of the failure candidates ingest stored: one thread takes the pending ones
 * oldest first and hands them to {@link #WORKERS} workers, each of which dispatches a candidate and
 * marks it done as soon as its dispatch needs no retry (one commit per candidate, so a restart
 * repeats at most the candidates in progress, whose send markers keep their reports from going
 * out twice). A retryable dispatch puts the candidate off
 * with back-off ({@link Backoff#CANDIDATES}); after the last attempt it is given up and counted
 * ({@value #GAVE_UP}).
 *
 * <p>It wakes when ingest commits a candidate ({@link #wake}) and otherwise polls every
 * {@link #POLL}, which also picks up candidates whose back-off ended. At start-up, candidates put
 * off before a restart are due at once: a restart is often what fixed the relay.
 */
final class CandidateSender {

    /** The counter of candidates given up after their last attempt. */
    static final String GAVE_UP = "gaveUp";

    static final Duration POLL = Duration.ofSeconds(2);

    static final int PAGE = 100;

    /**
     * Candidates dispatched at once: sends wait on the relay and on the disk, so a few in parallel
     * keep up with a steady stream where one at a time would queue.
     */
    static final int WORKERS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(CandidateSender.class);

    private final SqliteFailureQueue queue;
    private final SqliteFailureMetrics metrics;
    private final Dispatch dispatch;
    private final Clock clock;
    private final Backoff backoff;
    private final Semaphore signal = new Semaphore(0);
    /** Candidates handed to a worker and not finished yet: never handed out twice at once. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * Candidates finished (marked done or put off) since the last query began: a worker adds its
     * candidate here before it leaves {@link #inFlight}, so a page read just before that commit
     * does not hand the candidate out again.
     */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();

    private ExecutorService workers;

    private volatile boolean running;
    private Thread thread;

    CandidateSender(
            SqliteFailureQueue queue, SqliteFailureMetrics metrics, Dispatch dispatch, Clock clock, Backoff backoff) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    synchronized void start() {
        queue.retryPutOffNow(clock.instant().getEpochSecond());
        running = true;
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "failure-report-sender-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        thread = new Thread(this::run, "failure-report-sender");
        thread.setDaemon(true);
        thread.start();
    }

    /** New candidates were committed: look at once. Cheap, from any thread. */
    void wake() {
        if (signal.availablePermits() == 0) {
            signal.release();
        }
    }

    /** Stops after the candidate in progress (waiting up to {@code grace} for it) and writes the counters. */
    void stop(Duration grace) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) {
            return;
        }
        signal.release();
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            t.join(grace.toMillis());
            workers.shutdown();
            workers.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.flush();
        if (t.isAlive() || !workers.isTerminated()) {
            LOG.warn(
                    "the failure-report sender did not stop within {}; its candidate is sent after the restart", grace);
        }
    }

    private void run() {
        while (running) {
            try {
                sendDue();
                metrics.flush();
            } catch (StoreUnavailableException e) {
                if (!running) {
                    return;
                }
                LOG.warn("failure-report sender: the store failed; next try in {}: {}", POLL, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("failure-report sender: unexpected error; next try in {}", POLL, e);
            }
            if (running) { // woken by ingest, by a worker that finished, or the poll
                try {
                    if (signal.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                        signal.drainPermits();
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        metrics.flush();
    }

    /** Hands due candidates to the workers, up to {@link #PAGE} in flight; returns how many were handed out. */
    int sendDue() {
        int room = PAGE - inFlight.size();
        if (room <= 0) {
            return 0;
        }
        long now = clock.instant().getEpochSecond();
        List<Unreadable> unreadable = new ArrayList<>();
        finished.clear();
        List<Pending> page = queue.due(now, room + inFlight.size(), unreadable);
        if (!unreadable.isEmpty()) {
            // Nothing a retry could fix; the JSON is not logged (it holds mail headers).
            LOG.warn("{} stored failure candidates cannot be read back; marked done unsent", unreadable.size());
            queue.markDone(unreadable.stream().map(Unreadable::id).toList(), now);
            metrics.add(FailureMetrics.SKIPPED, unreadable.size());
        }
        int handled = unreadable.size();
        for (Pending p : page) {
            if (!running || inFlight.size() >= PAGE) {
                break;
            }
            if (!finished.contains(p.candidate().id())
                    && inFlight.add(p.candidate().id())) {
                workers.execute(() -> {
                    try {
                        if (running) {
                            handle(p);
                        }
                    } catch (StoreUnavailableException e) {
                        if (running) {
                            LOG.warn("failure-report sender: the store failed: {}", e.getMessage());
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("failure-report sender: unexpected error", e);
                    } finally {
                        finished.add(p.candidate().id());
                        inFlight.remove(p.candidate().id());
                        wake();
                    }
                });
                handled++;
            }
        }
        return handled;
    }

    /** Dispatches one candidate and records the outcome (done, put off, or given up). */
    void handle(Pending p) {
        String id = p.candidate().id();
        boolean retry;
        try {
            retry = dispatch.dispatch(p.candidate(), clock.instant().getEpochSecond());
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("dispatching failure candidate {} failed; will retry", id, e);
            retry = true;
        }
        long now = clock.instant().getEpochSecond();
        if (!retry) {
            queue.markDone(List.of(id), now);
            return;
        }
        int attempts = p.attempts() + 1;
        if (attempts >= backoff.maxAttempts()) {
            LOG.warn("failure candidate {} given up after {} attempts", id, attempts);
            queue.markDone(List.of(id), now);
            metrics.add(GAVE_UP, 1);
            return;
        }
        long next = now + backoff.delaySeconds(attempts);
        queue.putOff(id, attempts, next);
        LOG.info("failure candidate {} put off until {} (attempt {} of {})", id, next, attempts, backoff.maxAttempts());
    }
}
