package org.dmarcreporter.local.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.dmarcreporter.core.report.run.RunSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled aggregate run of {@code serve} ({@code docs/send-now.md}), on one thread: a run at
 * start-up (the catch-up: every window that ended while no serve ran is reported, each with its
 * own date range), then every day just after 00:00 UTC, and in between whenever a recipient that
 * failed is due for its retry: the earliest {@code nextRetry} of the last run's summary, or one
 * recorded since by a run the schedule did not start (a send-now, over HTTP or from the command),
 * which it asks the ledger for ({@link RetryTimes}) each time it wakes. Times come from the
 * injected clock; the thread sleeps at most {@link #LONGEST_SLEEP} at a time and then looks at the
 * clock (and the ledger) again, so a clock that jumps (suspend, NTP) delays a run by at most that,
 * and a send-now's retry (15 minutes or more after it, {@code RetryPolicy.DEFAULT}) is found in time.
 */
public final class ReportSchedule implements AutoCloseable {

    /** The longest sleep before the clock is read again. */
    static final Duration LONGEST_SLEEP = Duration.ofMinutes(1);

    /** After a run that failed as a whole (store unavailable), the next try. */
    static final Duration AFTER_ERROR = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(ReportSchedule.class);

    /** Where the schedule learns of retries that runs it did not start recorded. */
    @FunctionalInterface
    public interface RetryTimes {
        /** The earliest {@code nextRetry} (epoch second) of a recipient still to retry that is after {@code epochSecond}. */
        OptionalLong earliestAfter(long epochSecond);
    }

    private final Supplier<RunSummary> run;
    private final RetryTimes retries;
    private final Clock clock;
    private final Duration longestSleep;
    private final Thread thread;
    private final Object wakeUp = new Object();
    private volatile boolean stopped;

    public ReportSchedule(LocalReports reports, RetryTimes retries, Clock clock) {
        this(reports::scheduled, retries, clock, LONGEST_SLEEP);
    }

    /** @param run one scheduled run; @param longestSleep see {@link #LONGEST_SLEEP} (tests: shorter) */
    ReportSchedule(Supplier<RunSummary> run, RetryTimes retries, Clock clock, Duration longestSleep) {
        this.run = run;
        this.retries = retries;
        this.clock = clock;
        this.longestSleep = longestSleep;
        this.thread = new Thread(this::loop, "report-schedule");
        this.thread.setDaemon(true);
    }

    /** Starts the thread; its first run is the start-up catch-up. */
    public ReportSchedule start() {
        thread.start();
        return this;
    }

    /**
     * The first run after {@code now}: 00:00 UTC plus the settle time of scheduled runs, so that
     * the run finds yesterday's window ended and settled.
     */
    public static Instant nextMidnightRun(Instant now) {
        Instant today = now.truncatedTo(ChronoUnit.DAYS).plus(LocalReports.SCHEDULED_SETTLE);
        return today.isAfter(now) ? today : today.plus(Duration.ofDays(1));
    }

    /**
     * When to run next after a run that answered {@code last} at {@code now}: the next midnight
     * run, or earlier when a recipient in {@code last} waits for a retry.
     */
    public static Instant nextRun(Instant now, RunSummary last) {
        Instant next = nextMidnightRun(now);
        if (last == null) {
            return next;
        }
        for (RunSummary.WindowReport w : last.reports()) {
            for (RunSummary.RecipientReport r : w.recipients()) {
                if (r.nextRetry() != null && ("failed".equals(r.status()) || "deferred".equals(r.status()))) {
                    Instant retry = Instant.ofEpochSecond(r.nextRetry());
                    if (!retry.isAfter(now)) {
                        retry = now.plus(LONGEST_SLEEP); // never a busy loop, whatever the clock says
                    }
                    if (retry.isBefore(next)) {
                        next = retry;
                    }
                }
            }
        }
        return next;
    }

    /** One scheduled run, logged; never throws. The start-up catch-up is the first of these. */
    public RunSummary runOnce() {
        try {
            RunSummary summary = run.get();
            RunSummary.Totals t = summary.totals();
            if (t.windows() > 0) {
                LOG.info(
                        "scheduled report run: {} windows, {} reported, {} pending; {} sent, {} failed, {} skipped",
                        t.windows(),
                        t.reported(),
                        t.pending(),
                        t.sent(),
                        t.failed(),
                        t.skipped());
            }
            return summary;
        } catch (RuntimeException e) {
            LOG.warn("scheduled report run failed; next try in {}", AFTER_ERROR, e);
            return null;
        }
    }

    private void loop() {
        Instant next = clock.instant(); // start-up: catch up at once
        Instant lastRun = null;
        while (!stopped) {
            Instant now = clock.instant();
            if (lastRun != null) {
                next = earlier(next, retryRecordedAfter(lastRun));
            }
            if (!now.isBefore(next)) {
                lastRun = now;
                RunSummary summary = runOnce();
                Instant after = clock.instant();
                next = summary == null ? after.plus(AFTER_ERROR) : nextRun(after, summary);
                LOG.debug("next scheduled report run at {}", next);
                continue;
            }
            long millis = Math.max(1, Math.min(Duration.between(now, next).toMillis(), longestSleep.toMillis()));
            synchronized (wakeUp) {
                if (stopped) {
                    break;
                }
                try {
                    wakeUp.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /**
     * The earliest retry the ledger holds that is later than the last run's start, or null: one
     * due by then that run tried already (or will be tried by the next), so it never makes a
     * busy loop. A ledger that cannot answer (store closing) leaves the schedule as it was.
     */
    private Instant retryRecordedAfter(Instant lastRun) {
        try {
            OptionalLong at = retries.earliestAfter(lastRun.getEpochSecond());
            return at.isPresent() ? Instant.ofEpochSecond(at.getAsLong()) : null;
        } catch (RuntimeException e) {
            LOG.debug("could not read the next retry from the ledger: {}", e.getMessage());
            return null;
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return b != null && b.isBefore(a) ? b : a;
    }

    /**
     * Stops the thread. A run in progress is let finish for up to {@code grace}, then interrupted:
     * every store write of a run is atomic on its own, so an interrupted run leaves at worst a
     * recipient to be sent the same report (same Message-ID) again by a later run.
     */
    public void stop(Duration grace) {
        stopped = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
        if (!thread.isAlive()) {
            return;
        }
        try {
            thread.join(grace.toMillis());
            if (thread.isAlive()) {
                LOG.warn("a report run is still going after {} s; interrupting it", grace.toSeconds());
                thread.interrupt();
                thread.join(grace.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
