package org.dmarcreporter.local.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.MailTransportContract;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTransportTest extends MailTransportContract {

    private static final Pattern TO = Pattern.compile("\r\nTo: ([^\r]*)\r\n");

    @TempDir
    Path outbox;

    @Override
    protected MailTransport transport() throws IOException {
        return OutboxTransport.create(outbox);
    }

    @Override
    protected MailTransport transportWithLimit(long maxMessageBytes) throws IOException {
        return new OutboxTransport(outbox, maxMessageBytes);
    }

    /**
     * The message's one file, when it was written and its To header lists the recipient. An
     * outbox keeps one file per message, not per recipient, so here the contract's recipient
     * checks (an injected recipient gets nothing, a recipient listed twice gets one copy) rest on
     * the message's own To header, which the contract builds: what they prove for the outbox is
     * that the file exists with the exact bytes, or does not exist.
     */
    @Override
    protected List<byte[]> received(String recipient, String messageId) throws IOException {
        Path file = outbox.resolve(OutboxTransport.fileName(messageId));
        List<byte[]> found = new ArrayList<>();
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            Matcher to = TO.matcher(new String(bytes, StandardCharsets.US_ASCII));
            if (to.find() && List.of(to.group(1).split(", ")).contains(recipient)) {
                found.add(bytes);
            }
        }
        return found;
    }

    @Test
    void fileNamesAreReadableSafeAndDistinct() {
        String name = OutboxTransport.fileName("<1764547200-example.com@reporter.example>");

        assertThat(name).matches("1764547200-example\\.com@reporter\\.example_[0-9a-f]{12}\\.eml");
        assertThat(OutboxTransport.fileName("<a/../b@x>")).doesNotContain("/").doesNotStartWith(".");
        // Names that read the same still differ: case, and characters shown as '_'.
        assertThat(OutboxTransport.fileName("<A@x>")).isNotEqualToIgnoringCase(OutboxTransport.fileName("<a@x>"));
        assertThat(OutboxTransport.fileName("<a_b@x>")).isNotEqualTo(OutboxTransport.fileName("<a/b@x>"));
        assertThat(OutboxTransport.fileName("<" + "x".repeat(500) + "@x>").length())
                .isLessThan(120);
    }

    @Test
    void aMessageToSeveralRecipientsIsWrittenOnceAndEachRecipientIsSent() throws IOException {
        OutboxTransport transport = OutboxTransport.create(outbox);
        OutgoingMail mail = mail(List.of(FIRST, SECOND), body());

        Delivery delivery = transport.send(mail);

        assertThat(emlFiles()).containsExactly(transport.fileFor(mail.messageId()));
        assertThat(Files.readAllBytes(transport.fileFor(mail.messageId()))).isEqualTo(mail.message());
        assertThat(delivery.recipients()).containsExactly(FIRST, SECOND);
        assertThat(delivery.allSent()).isTrue();
    }

    @Test
    void aResendOfTheSameMessageReplacesItsFile() throws IOException {
        OutboxTransport transport = OutboxTransport.create(outbox);
        OutgoingMail first = mail(List.of(FIRST, SECOND), body());
        OutgoingMail resent = new OutgoingMail(
                first.envelopeFrom(),
                List.of(FIRST),
                first.messageId(),
                (new String(first.message(), StandardCharsets.US_ASCII) + "resent\r\n")
                        .getBytes(StandardCharsets.US_ASCII));

        transport.send(first);
        Delivery again = transport.send(resent);

        assertThat(again.allSent()).isTrue();
        assertThat(emlFiles()).hasSize(1);
        assertThat(Files.readAllBytes(transport.fileFor(first.messageId()))).isEqualTo(resent.message());
    }

    @Test
    void anotherMessageNeverReplacesAFile() throws IOException {
        OutboxTransport transport = OutboxTransport.create(outbox);
        OutgoingMail one = mail(List.of(FIRST), body());
        OutgoingMail two = mail(List.of(FIRST), body());

        transport.send(one);
        transport.send(two);

        assertThat(emlFiles()).hasSize(2);
        assertThat(Files.readAllBytes(transport.fileFor(one.messageId()))).isEqualTo(one.message());
        assertThat(Files.readAllBytes(transport.fileFor(two.messageId()))).isEqualTo(two.message());
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws IOException {
        OutboxTransport.create(outbox).send(mail(List.of(FIRST, SECOND), body()));

        try (Stream<Path> files = Files.list(outbox)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.endsWith(".eml") && !n.startsWith("."));
        }
    }

    @Test
    void anOutboxThatCannotBeWrittenIsATemporaryFailure() throws IOException {
        OutboxTransport transport = OutboxTransport.create(outbox.resolve("box"));
        Files.delete(outbox.resolve("box"));
        Files.writeString(outbox.resolve("box"), "now a file, not a folder");

        Delivery delivery = transport.send(mail(List.of(FIRST), body()));

        assertThat(delivery.outcome(FIRST)).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(o.detail()).contains("could not write");
        });
    }

    private List<Path> emlFiles() throws IOException {
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(p -> p.toString().endsWith(".eml")).toList();
        }
    }
}
