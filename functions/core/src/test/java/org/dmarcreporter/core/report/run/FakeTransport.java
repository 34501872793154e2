package org.dmarcreporter.core.report.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/** Records every message; recipients can be made to fail temporarily (n times) or permanently. */
final class FakeTransport implements MailTransport {

    final List<OutgoingMail> sent = new ArrayList<>();
    private final Map<String, Integer> temporaryFailures = new HashMap<>();
    private final Map<String, Boolean> permanent = new HashMap<>();
    private final Map<String, Boolean> tooLarge = new HashMap<>();

    FakeTransport failTemporarily(String recipient, int times) {
        temporaryFailures.put(recipient, times);
        return this;
    }

    /** The recipient's relay refuses the message for its size (as a 552 reply or SIZE would). */
    FakeTransport refuseAsTooLarge(String recipient) {
        tooLarge.put(recipient, true);
        return this;
    }

    FakeTransport failPermanently(String recipient) {
        permanent.put(recipient, true);
        return this;
    }

    @Override
    public synchronized Delivery send(OutgoingMail mail) {
        sent.add(mail);
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        for (String r : mail.recipients()) {
            int left = temporaryFailures.getOrDefault(r, 0);
            if (tooLarge.containsKey(r)) {
                outcomes.put(
                        r,
                        new DeliveryOutcome.PermanentFailure(
                                DeliveryOutcome.Cause.TOO_LARGE, "552 5.3.4 message size exceeds fixed limit"));
            } else if (permanent.containsKey(r)) {
                outcomes.put(
                        r, new DeliveryOutcome.PermanentFailure(DeliveryOutcome.Cause.REJECTED, "550 no such user"));
            } else if (left > 0) {
                temporaryFailures.put(r, left - 1);
                outcomes.put(r, new DeliveryOutcome.TemporaryFailure("451 try again later"));
            } else {
                outcomes.put(r, new DeliveryOutcome.Sent("250 ok"));
            }
        }
        return new Delivery(mail.messageId(), outcomes);
    }

    /** Messages whose envelope included {@code recipient}. */
    synchronized List<OutgoingMail> to(String recipient) {
        return sent.stream().filter(m -> m.recipients().contains(recipient)).toList();
    }
}
