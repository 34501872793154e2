package org.dmarcreporter.core.report.delivery;

import java.util.Objects;

/** What became of one recipient of one message. */
public sealed interface DeliveryOutcome {

    /** A short human-readable account: the relay's reply, the API's message, the file written. */
    String detail();

    /**
     * Handed over: the relay or API accepted the message for this recipient, or the outbox file
     * is written.
     *
     * @param detail e.g. {@code 250 2.0.0 Ok: queued}, an SES message id, a file name
     */
    record Sent(String detail) implements DeliveryOutcome {
        public Sent {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Not delivered now, may work later: an SMTP 4xx reply, a connection, TLS or authentication
     * problem with our own relay, API throttling or a service error. The caller retries later
     * (bounded, with back-off) with the same message.
     */
    record TemporaryFailure(String reason) implements DeliveryOutcome {
        public TemporaryFailure {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String detail() {
            return reason;
        }
    }

    /**
     * Will not work with this message: an SMTP 5xx reply for the recipient or the message, an API
     * rejection, an unusable address, or a message over the destination's size limit. The caller
     * gives this recipient up for this message (logs and counts it).
     */
    record PermanentFailure(Cause cause, String reason) implements DeliveryOutcome {
        public PermanentFailure {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String detail() {
            return reason;
        }
    }

    /** Why a permanent failure happened, for counting (the reason says the rest). */
    enum Cause {
        /** The message is larger than the destination (relay, SES, configured limit) takes. */
        TOO_LARGE,
        /** The address cannot be used safely (refused before anything was sent). */
        INVALID_ADDRESS,
        /** The relay or the API refused the recipient or the message (5xx, MessageRejected, ...). */
        REJECTED
    }
}
