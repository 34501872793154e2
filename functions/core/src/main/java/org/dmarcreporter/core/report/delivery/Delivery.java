package org.dmarcreporter.core.report.delivery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one {@link MailTransport#send} call: one entry per distinct recipient, in the
 * order of {@link org.dmarcreporter.core.report.mail.OutgoingMail#recipients()}.
 *
 * @param messageId the message's Message-ID, with angle brackets
 * @param outcomes  recipient to outcome, in recipient order (unmodifiable)
 */
public record Delivery(String messageId, Map<String, DeliveryOutcome> outcomes) {

    public Delivery {
        Objects.requireNonNull(messageId, "messageId");
        // Map.copyOf would lose the order; wrap a private copy instead.
        outcomes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        if (outcomes.isEmpty()) {
            throw new IllegalArgumentException("a delivery has at least one recipient");
        }
    }

    /** The outcome for one recipient, if it was a recipient of this message. */
    public Optional<DeliveryOutcome> outcome(String recipient) {
        return Optional.ofNullable(outcomes.get(recipient));
    }

    /** The recipients, in order. */
    public List<String> recipients() {
        return List.copyOf(outcomes.keySet());
    }

    /** True when every recipient has the message. */
    public boolean allSent() {
        return outcomes.values().stream().allMatch(o -> o instanceof DeliveryOutcome.Sent);
    }

    /** The recipients whose outcome is a {@link DeliveryOutcome.TemporaryFailure}: to try again later. */
    public List<String> toRetry() {
        return outcomes.entrySet().stream()
                .filter(e -> e.getValue() instanceof DeliveryOutcome.TemporaryFailure)
                .map(Map.Entry::getKey)
                .toList();
    }
}
