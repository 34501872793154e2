package org.dmarcreporter.aggregate;

import java.util.Objects;
import java.util.function.LongSupplier;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * Keeps one process under a number of SES calls per second ({@code SENDS_PER_SECOND}): the SES
 * transport makes one {@code SendEmail} per recipient, so a message to {@code n} recipients takes
 * {@code n} slots. Slots are handed out in order to every thread of the process, so a send-now
 * with several windows at once keeps the same pace. With at most {@code MaximumConcurrency}
 * workers, the whole deployment stays under {@code MaximumConcurrency x SENDS_PER_SECOND}, which
 * the operator sets at or below the account's SES maximum send rate ({@code docs/aggregate-reports.md}).
 */
final class PacedTransport implements MailTransport {

    /** Waits; tests record the waits instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final MailTransport next;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long nextSlot;
    private boolean started;

    PacedTransport(MailTransport next, double sendsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(sendsPerSecond > 0)) {
            throw new IllegalArgumentException("sendsPerSecond must be positive");
        }
        this.next = Objects.requireNonNull(next, "next");
        this.intervalNanos = Math.max(1, Math.round(1e9 / sendsPerSecond));
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    static PacedTransport wallClock(MailTransport next, double sendsPerSecond) {
        return new PacedTransport(next, sendsPerSecond, System::nanoTime, nanos -> {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        });
    }

    @Override
    public Delivery send(OutgoingMail mail) {
        long wait = reserve(Math.max(1, mail.recipients().size()));
        if (wait > 0) {
            try {
                sleeper.sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while pacing SES calls", e);
            }
        }
        return next.send(mail);
    }

    /** Takes {@code slots} slots and answers how long to wait for the first. */
    private synchronized long reserve(int slots) {
        long now = nanoTime.getAsLong();
        if (!started || nextSlot - now < 0) {
            nextSlot = now;
            started = true;
        }
        long wait = nextSlot - now;
        nextSlot += slots * intervalNanos;
        return wait;
    }
}
