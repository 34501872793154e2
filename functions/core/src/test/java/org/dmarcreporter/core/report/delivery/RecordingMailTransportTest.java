package org.dmarcreporter.core.report.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract against the in-memory transport, plus its failure switch. */
class RecordingMailTransportTest extends MailTransportContract {

    private final RecordingMailTransport transport = new RecordingMailTransport();
    private RecordingMailTransport limited;

    @Override
    protected MailTransport transport() {
        return transport;
    }

    @Override
    protected MailTransport transportWithLimit(long maxMessageBytes) {
        limited = new RecordingMailTransport(maxMessageBytes);
        return limited;
    }

    @Override
    protected List<byte[]> received(String recipient, String messageId) {
        RecordingMailTransport source = limited != null ? limited : transport;
        return source.receivedBy(recipient).stream()
                .filter(m -> m.messageId().equals(messageId))
                .map(m -> m.message())
                .toList();
    }

    @Test
    void aFailedRecipientIsReportedAloneAndCanBeRetried() {
        transport.fail(SECOND, new DeliveryOutcome.TemporaryFailure("451 try later"));
        var mail = mail(List.of(FIRST, SECOND), body());

        Delivery first = transport.send(mail);
        transport.heal(SECOND);
        Delivery retry = transport.send(new org.dmarcreporter.core.report.mail.OutgoingMail(
                mail.envelopeFrom(), first.toRetry(), mail.messageId(), mail.message()));

        assertThat(first.outcome(FIRST)).containsInstanceOf(DeliveryOutcome.Sent.class);
        assertThat(first.toRetry()).containsExactly(SECOND);
        assertThat(retry.allSent()).isTrue();
        assertThat(transport.receivedBy(FIRST)).hasSize(1);
        assertThat(transport.receivedBy(SECOND)).hasSize(1);
    }
}
