package org.dmarcreporter.core.report.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * An in-memory {@link MailTransport} for tests of the code that sends reports: it keeps every
 * message per recipient, and can be told to fail a recipient (temporarily or permanently) for the
 * next sends.
 */
public final class RecordingMailTransport implements MailTransport {

    /** One message as one recipient received it. */
    public record Received(String recipient, OutgoingMail mail) {}

    private final long maxMessageBytes;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, DeliveryOutcome> failures = new ConcurrentHashMap<>();

    public RecordingMailTransport() {
        this(0);
    }

    /** @param maxMessageBytes the size limit; 0 for none */
    public RecordingMailTransport(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** From now on every send to {@code recipient} ends with {@code outcome} (not recorded). */
    public void fail(String recipient, DeliveryOutcome outcome) {
        failures.put(recipient, outcome);
    }

    /** Sends to {@code recipient} succeed again. */
    public void heal(String recipient) {
        failures.remove(recipient);
    }

    @Override
    public synchronized Delivery send(OutgoingMail mail) {
        SendCheck check = SendCheck.of(mail, maxMessageBytes);
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        for (String recipient : check.sendable()) {
            DeliveryOutcome failure = failures.get(recipient);
            if (failure != null) {
                outcomes.put(recipient, failure);
            } else {
                received.add(new Received(recipient, mail));
                outcomes.put(recipient, new DeliveryOutcome.Sent("recorded"));
            }
        }
        return check.complete(outcomes);
    }

    /** Everything received so far, in order. */
    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The messages one recipient received, in order. */
    public synchronized List<OutgoingMail> receivedBy(String recipient) {
        return received.stream()
                .filter(r -> r.recipient().equals(recipient))
                .map(Received::mail)
                .toList();
    }
}
