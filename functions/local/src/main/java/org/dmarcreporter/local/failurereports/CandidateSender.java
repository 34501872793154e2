package org.dmarcreporter.local.failurereports;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.local.store.SqliteFailureMetrics;
import org.dmarcreporter.local.store.SqliteFailureQueue;
import org.dmarcreporter.local.store.SqliteFailureQueue.Pending;
import org.dmarcreporter.local.store.SqliteFailureQueue.Unreadable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread that sends the failure candidates ingest stored: it takes the pending
 * ones oldest first, dispatches each and marks it done as soon as its dispatch needs no retry (one
 * commit per candidate, so a restart repeats at most the candidate in progress, whose send
 * markers keep its reports from going out twice). A retryable dispatch puts the candidate off
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

    private static final Logger LOG = LoggerFactory.getLogger(CandidateSender.class);

    private final SqliteFailureQueue queue;
    private final SqliteFailureMetrics metrics;
    private final Dispatch dispatch;
    private final Clock clock;
    private final Backoff backoff;
    private final Semaphore signal = new Semaphore(0);

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
        try {
            t.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn(
                    "the failure-report sender did not stop within {}; its candidate is sent after the restart", grace);
        }
    }

    private void run() {
        while (running) {
            int handled;
            try {
                handled = sendDue();
                metrics.flush();
            } catch (StoreUnavailableException e) {
                if (!running) {
                    return;
                }
                LOG.warn("failure-report sender: the store failed; next try in {}: {}", POLL, e.getMessage());
                handled = 0;
            } catch (RuntimeException e) {
                LOG.warn("failure-report sender: unexpected error; next try in {}", POLL, e);
                handled = 0;
            }
            if (handled < PAGE && running) {
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

    /** One page of due candidates; returns how many were handled. */
    int sendDue() {
        long now = clock.instant().getEpochSecond();
        List<Unreadable> unreadable = new ArrayList<>();
        List<Pending> page = queue.due(now, PAGE, unreadable);
        if (!unreadable.isEmpty()) {
            // Nothing a retry could fix; the JSON is not logged (it holds mail headers).
            LOG.warn("{} stored failure candidates cannot be read back; marked done unsent", unreadable.size());
            queue.markDone(unreadable.stream().map(Unreadable::id).toList(), now);
            metrics.add(org.dmarcreporter.core.report.dispatch.FailureMetrics.SKIPPED, unreadable.size());
        }
        int handled = unreadable.size();
        for (Pending p : page) {
            if (!running) {
                break;
            }
            handle(p);
            handled++;
        }
        return handled;
    }

    private void handle(Pending p) {
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
