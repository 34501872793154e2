package org.dmarcreporter.core.report.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Cause;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.PermanentFailure;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Sent;
import org.dmarcreporter.core.report.mail.AggregateReportMail;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.mail.ReportNames;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MailTransport} must do (docs/mail.md): each implementation's test extends this
 * class and says how to make a transport and how to read what its destination received.
 *
 * <p>Message-IDs are unique per test, so a destination shared between tests (one moto server, one
 * relay) is fine.
 */
public abstract class MailTransportContract {

    protected static final String SENDER = "bounces@reporter.example";
    protected static final String FIRST = "dmarc@example.com";
    protected static final String SECOND = "copy@reporter.example";

    /** A transport with no size limit of its own below 1 MB. */
    protected abstract MailTransport transport() throws Exception;

    /** A transport that takes messages of at most {@code maxMessageBytes} bytes. */
    protected abstract MailTransport transportWithLimit(long maxMessageBytes) throws Exception;

    /**
     * Every message the destination holds for this envelope recipient with this Message-ID, in
     * the order received, as the exact bytes received.
     */
    protected abstract List<byte[]> received(String recipient, String messageId) throws Exception;

    @Test
    void eachRecipientGetsExactlyTheMessageBytes() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST, SECOND), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.messageId()).isEqualTo(mail.messageId());
        assertThat(delivery.recipients()).containsExactly(FIRST, SECOND);
        assertThat(delivery.outcomes().values()).allSatisfy(o -> assertThat(o).isInstanceOf(Sent.class));
        assertThat(delivery.allSent()).isTrue();
        assertThat(received(FIRST, mail.messageId())).singleElement().isEqualTo(mail.message());
        assertThat(received(SECOND, mail.messageId())).singleElement().isEqualTo(mail.message());
    }

    @Test
    void aComposedReportArrivesByteForByte() throws Exception {
        ReportNames names =
                ReportNames.aggregate("reporter.example", "t" + unique() + ".example", 1764547200L, 1764633599L);
        byte[] gzip = new byte[3000];
        new java.util.Random(7).nextBytes(gzip);
        OutgoingMail mail = AggregateReportMail.compose(
                "noreply@reporter.example",
                SENDER,
                List.of(FIRST),
                names,
                "example.com",
                1764547200L,
                1764633599L,
                gzip,
                Instant.parse("2026-12-02T00:00:05Z"));

        Delivery delivery = transport().send(mail);

        assertThat(delivery.outcome(FIRST)).containsInstanceOf(Sent.class);
        assertThat(received(FIRST, mail.messageId())).singleElement().isEqualTo(mail.message());
    }

    @Test
    void aMessageOverTheSizeLimitIsRefusedAsTooLargeAndNotSent() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST, SECOND), body());

        Delivery delivery = transportWithLimit(mail.message().length - 1).send(mail);

        assertThat(delivery.recipients()).containsExactly(FIRST, SECOND);
        assertThat(delivery.outcomes().values()).allSatisfy(o -> {
            assertThat(o).isInstanceOf(PermanentFailure.class);
            assertThat(((PermanentFailure) o).cause()).isEqualTo(Cause.TOO_LARGE);
            assertThat(o.detail()).contains(String.valueOf(mail.message().length));
        });
        assertThat(delivery.toRetry()).isEmpty();
        assertThat(received(FIRST, mail.messageId())).isEmpty();
        assertThat(received(SECOND, mail.messageId())).isEmpty();
    }

    @Test
    void aMessageAtTheSizeLimitIsSent() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST), body());

        Delivery delivery = transportWithLimit(mail.message().length).send(mail);

        assertThat(delivery.outcome(FIRST)).containsInstanceOf(Sent.class);
        assertThat(received(FIRST, mail.messageId())).singleElement().isEqualTo(mail.message());
    }

    @Test
    void anUnusableRecipientFailsAloneAndNothingIsInjected() throws Exception {
        String injected = "victim@example.com>\r\nRCPT TO:<attacker@evil.example";
        OutgoingMail mail = mail(List.of(FIRST, injected, SECOND), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.recipients()).containsExactly(FIRST, injected, SECOND);
        assertThat(delivery.outcome(FIRST)).containsInstanceOf(Sent.class);
        assertThat(delivery.outcome(SECOND)).containsInstanceOf(Sent.class);
        assertThat(delivery.outcome(injected)).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(PermanentFailure.class);
            assertThat(((PermanentFailure) o).cause()).isEqualTo(Cause.INVALID_ADDRESS);
            assertThat(o.detail()).doesNotContain("\r", "\n");
        });
        assertThat(delivery.toRetry()).isEmpty();
        assertThat(received(FIRST, mail.messageId())).singleElement().isEqualTo(mail.message());
        assertThat(received("attacker@evil.example", mail.messageId())).isEmpty();
        assertThat(received("victim@example.com", mail.messageId())).isEmpty();
    }

    @Test
    void anUnusableEnvelopeSenderSendsNothing() throws Exception {
        OutgoingMail good = mail(List.of(FIRST), body());
        OutgoingMail mail = new OutgoingMail(
                "bounces@reporter.example>\r\nRSET", good.recipients(), good.messageId(), good.message());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.outcome(FIRST)).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(PermanentFailure.class);
            assertThat(((PermanentFailure) o).cause()).isEqualTo(Cause.INVALID_ADDRESS);
            assertThat(o.detail()).contains("envelope sender");
        });
        assertThat(received(FIRST, mail.messageId())).isEmpty();
    }

    @Test
    void aRecipientListedTwiceGetsOneCopyAndOneOutcome() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST, SECOND, FIRST), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.recipients()).containsExactly(FIRST, SECOND);
        assertThat(received(FIRST, mail.messageId())).hasSize(1);
        assertThat(received(SECOND, mail.messageId())).hasSize(1);
    }

    /** A plain RFC 5322 message with lines SMTP must escape (a lone dot, leading dots). */
    protected static String body() {
        return "This is a test message.\r\n"
                + ".\r\n"
                + "..two dots\r\n"
                + ".one dot\r\n"
                + "A".repeat(998) + "\r\n"
                + "end\r\n";
    }

    /** A message with a unique Message-ID, every recipient in To, CRLF line ends. */
    protected static OutgoingMail mail(List<String> recipients, String body) {
        String messageId = "<" + unique() + "@reporter.example>";
        String headers = "From: noreply@reporter.example\r\n"
                + "To: "
                + String.join(
                        ", ",
                        recipients.stream()
                                .filter(r -> r.indexOf('\r') < 0)
                                .distinct()
                                .toList()) + "\r\n"
                + "Subject: transport contract test\r\n"
                + "Date: Wed, 2 Dec 2026 00:00:05 +0000\r\n"
                + "Message-ID: " + messageId + "\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "\r\n";
        return new OutgoingMail(SENDER, recipients, messageId, (headers + body).getBytes(StandardCharsets.US_ASCII));
    }

    protected static String unique() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
