package org.dmarcreporter.local.failurereports;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.report.dispatch.FailureLedger;
import org.dmarcreporter.core.report.dispatch.FlushScheduler;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local {@link FlushScheduler}: an in-process delay queue with one thread that flushes each
 * slot when its time comes. Timers die with the process, so the thread also asks the ledger for
 * {@link FailureLedger#dueSlots} at start (slots whose window ended while the process was down)
 * and every {@link #SWEEP_EVERY} after (slots whose timer was lost by a {@code kill -9}, or whose
 * flush failed): every held slot is flushed at most {@code SWEEP_EVERY} after its due time, across
 * restarts. A flush answered with retry is tried again with back-off ({@link Backoff#FLUSHES}).
 */
final class FlushTimer implements FlushScheduler {

    /** The safety net for lost timers. */
    static final Duration SWEEP_EVERY = Duration.ofSeconds(15);

    private static final Logger LOG = LoggerFactory.getLogger(FlushTimer.class);

    private final FailureLedger ledger;
    private final Clock clock;
    private final Backoff backoff;
    private final DelayQueue<Due> queue = new DelayQueue<>();
    /** Slot keys in the queue, with the earliest time each is queued for. */
    private final Map<String, Long> queued = new ConcurrentHashMap<>();

    private volatile Dispatch dispatch;
    private volatile boolean running;
    private Thread thread;

    FlushTimer(FailureLedger ledger, Clock clock, Backoff backoff) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    @Override
    public void scheduleFlush(String slotKey, long dueAt) {
        enqueue(slotKey, dueAt, 0);
    }

    /** Starts the thread; flushes go to {@code dispatch} (set late: the dispatcher needs this scheduler first). */
    synchronized void start(Dispatch dispatch) {
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
        running = true;
        thread = new Thread(this::run, "failure-report-flush");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread, waiting for a flush in progress up to {@code grace}. */
    void stop(Duration grace) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Slots queued now (for tests and the status). */
    int queued() {
        return queued.size();
    }

    private void enqueue(String slotKey, long dueAt, int attempts) {
        Long earlier = queued.get(slotKey);
        if (earlier != null && earlier <= dueAt && attempts == 0) {
            return; // a flush at or before then is queued already; a flush takes everything held
        }
        queued.merge(slotKey, dueAt, Math::min);
        queue.add(new Due(slotKey, dueAt, attempts, clock));
    }

    private void run() {
        long nextSweep = 0; // at once: slots due while the process was down
        while (running) {
            try {
                long nowMillis = clock.millis();
                if (nowMillis >= nextSweep) {
                    sweep(nowMillis / 1000);
                    nextSweep = nowMillis + SWEEP_EVERY.toMillis();
                }
                Due due = queue.poll(Math.max(1, nextSweep - clock.millis()), TimeUnit.MILLISECONDS);
                if (due == null) {
                    continue;
                }
                queued.remove(due.slotKey(), due.dueAt());
                flush(due);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (StoreUnavailableException e) {
                if (!running) {
                    return; // the store closed under us while stopping
                }
                LOG.warn("failure-report flushes: the store failed; next try in {}: {}", SWEEP_EVERY, e.getMessage());
                nextSweep = clock.millis() + SWEEP_EVERY.toMillis();
            } catch (RuntimeException e) {
                LOG.warn("failure-report flushes: unexpected error; next try in {}", SWEEP_EVERY, e);
                nextSweep = clock.millis() + SWEEP_EVERY.toMillis();
            }
        }
    }

    private void sweep(long now) {
        for (FailureLedger.DueSlot slot : ledger.dueSlots(now, FailureLedger.MAX_PAGE)) {
            if (!queued.containsKey(slot.slotKey())) {
                enqueue(slot.slotKey(), slot.dueAt(), 0);
            }
        }
    }

    private void flush(Due due) {
        long now = clock.instant().getEpochSecond();
        boolean retry;
        try {
            retry = dispatch.flush(due.slotKey(), now);
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("flushing a failure-report slot failed; will retry", e);
            retry = true;
        }
        if (retry && due.attempts() + 1 < backoff.maxAttempts()) {
            enqueue(due.slotKey(), now + backoff.delaySeconds(due.attempts() + 1), due.attempts() + 1);
        }
    }

    /** A queued flush: due at {@code dueAt} epoch seconds by the timer's clock. */
    private record Due(String slotKey, long dueAt, int attempts, Clock clock) implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueAt * 1000 - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueAt, ((Due) other).dueAt);
        }
    }
}
