package org.dmarcreporter.core.report.run;

import java.util.Map;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * Sends one message and says what became of each envelope recipient. Interim port with the
 * shape of {@code core.report.delivery.MailTransport} (being added in parallel); the run switches
 * to that one when it lands.
 */
public interface MailTransport {

    /** Never throws for a refused recipient; an exception counts as a temporary failure of every recipient. */
    Delivery send(OutgoingMail mail);

    /** @param outcomes one per envelope recipient of the message */
    record Delivery(Map<String, Outcome> outcomes) {
        public Delivery {
            outcomes = Map.copyOf(outcomes);
        }
    }

    sealed interface Outcome {
    }

    record Sent() implements Outcome {
    }

    /** Worth trying again later (SMTP 4xx, throttling, network). */
    record TemporaryFailure(String reason) implements Outcome {
    }

    /** Will not succeed (SMTP 5xx, SES rejected the address). */
    record PermanentFailure(String reason) implements Outcome {
    }
}
