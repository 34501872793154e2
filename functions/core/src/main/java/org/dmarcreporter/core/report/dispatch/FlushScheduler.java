package org.dmarcreporter.core.report.dispatch;

/**
 * Makes {@code FailureDispatcher.flush} run for a slot once its merge window is over. AWS: an SQS
 * message with {@code DelaySeconds} that the failure function receives; local: an in-process
 * timer, plus {@link FailureLedger#dueSlots} after a restart.
 *
 * <p>Guarantee every implementation gives: after {@code scheduleFlush(slotKey, dueAt)} returned,
 * {@code flush(slotKey, t)} is called at least once, with {@code t >= dueAt} as soon after
 * {@code dueAt} as the implementation can (a stopped local sender: after its restart). It may be
 * called more than once, and early: an implementation that cannot wait that long (SQS delays at
 * most 900 seconds) calls at its longest delay instead. Both are harmless: {@link
 * FailureLedger#takeSlot} makes an extra call send nothing, and a flush that cannot send yet holds
 * the incidents again and schedules again. So implementations need no de-duplication.
 *
 * <p>A call that throws may have scheduled nothing: the dispatcher counts and logs it, and
 * schedules the slot again when the next incident joins it after its {@code dueAt} (so a slot is
 * only lost when its traffic stops, and then within {@link FailureLedger#SLOT_RETENTION_SECONDS}).
 */
public interface FlushScheduler {

    /**
     * @param slotKey the slot to flush
     * @param dueAt   epoch seconds; in the past means as soon as possible
     */
    void scheduleFlush(String slotKey, long dueAt);
}
