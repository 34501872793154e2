package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.junit.jupiter.api.Test;

class PacedTransportTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Long> waits = new ArrayList<>();
    final List<OutgoingMail> sent = new ArrayList<>();

    PacedTransport paced(double perSecond) {
        return new PacedTransport(
                mail -> {
                    sent.add(mail);
                    return new Delivery(
                            mail.messageId(),
                            java.util.Map.of(mail.recipients().get(0), new DeliveryOutcome.Sent("ok")));
                },
                perSecond,
                now::get,
                nanos -> {
                    waits.add(nanos);
                    now.addAndGet(nanos);
                });
    }

    static OutgoingMail mail(String... to) {
        return new OutgoingMail("bounces@reporter.example", List.of(to), "<1@reporter.example>", new byte[] {'x'});
    }

    @Test
    void eachRecipientTakesOneSlotOfTheRate() {
        PacedTransport transport = paced(4); // 250 ms a slot

        transport.send(mail("a@example.com"));
        transport.send(mail("b@example.com", "c@example.com"));
        transport.send(mail("d@example.com"));

        assertThat(sent).hasSize(3);
        // first at once, second after one slot, third after the second's two slots
        assertThat(waits).containsExactly(250_000_000L, 500_000_000L);
    }

    @Test
    void idleTimeIsNotSavedUpForABurst() {
        PacedTransport transport = paced(2);
        transport.send(mail("a@example.com"));
        now.addAndGet(10_000_000_000L);

        transport.send(mail("b@example.com"));
        transport.send(mail("c@example.com"));

        assertThat(waits).containsExactly(500_000_000L);
    }
}
