package org.dmarcreporter.core.report.dispatch;

/**
 * Makes {@code FailureDispatcher.flush} run for a slot once its merge window is over. AWS: an SQS
 * message with {@code DelaySeconds} that the failure function receives; local: an in-process
 * timer, plus {@link FailureLedger#dueSlots} after a restart.
 *
 * <p>Guarantee every implementation gives: after {@code scheduleFlush(slotKey, dueAt)} returned,
 * {@code flush(slotKey, t)} is called at least once with some {@code t >= dueAt}, as soon after
 * {@code dueAt} as the implementation can (SQS: up to its 15-minute delay limit, a longer delay is
 * cut to it and the flush is then early, which is harmless; a stopped local sender: after its
 * restart). It may be called more than once, or early; {@link FailureLedger#takeSlot} makes an
 * extra call send nothing. A call that throws has scheduled nothing; the dispatcher then lets the
 * caller retry.
 */
public interface FlushScheduler {

    /**
     * @param slotKey the slot to flush
     * @param dueAt   epoch seconds; in the past means as soon as possible
     */
    void scheduleFlush(String slotKey, long dueAt);
}
