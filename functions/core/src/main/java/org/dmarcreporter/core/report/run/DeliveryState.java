package org.dmarcreporter.core.report.run;

/**
 * What became of one recipient of one window's report. No state at all means pending (never
 * tried). {@link Sent} and {@link GivenUp} are final: the recipient is never sent the report
 * (again); {@link Failed} is retried by a later run from {@code nextRetry} on.
 */
public sealed interface DeliveryState {

    /** Attempts made so far. */
    int attempts();

    default boolean isFinal() {
        return this instanceof Sent || this instanceof GivenUp;
    }

    record Sent(long at, int attempts) implements DeliveryState {}

    /** @param nextRetry epoch second from which a run tries again */
    record Failed(String reason, int attempts, long nextRetry) implements DeliveryState {}

    record GivenUp(String reason, int attempts) implements DeliveryState {}
}
