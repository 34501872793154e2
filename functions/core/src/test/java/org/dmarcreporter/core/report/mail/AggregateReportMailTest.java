package org.dmarcreporter.core.report.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.xml.AggregateReportWriter;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.report.xml.ReportMetadata;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AggregateReportMailTest {

    static final long BEGIN = 1764547200L;
    static final long END = 1764633599L;
    static final ReportNames NAMES = ReportNames.aggregate("Reporter.Example", "example.com", BEGIN, END);

    @Test
    void namesFollowTheRfc9990Grammar() {
        assertThat(NAMES.reportId()).isEqualTo("1764547200-example.com@reporter.example");
        assertThat(NAMES.fileName()).isEqualTo("reporter.example!example.com!1764547200!1764633599.xml.gz");
        assertThat(NAMES.subject())
                .isEqualTo(
                        "Report Domain: example.com Submitter: reporter.example Report-ID: 1764547200-example.com@reporter.example");
        assertThat(NAMES.messageId()).isEqualTo("<1764547200-example.com@reporter.example>");
        // The same window always gets the same names (a resend must reuse them, RFC 9990 §3.5.2).
        assertThat(ReportNames.aggregate("reporter.example", "example.com.", BEGIN, END))
                .isEqualTo(NAMES);
    }

    @Test
    void messageCarriesTheReportAsAGzipAttachmentWithItsNames() throws Exception {
        byte[] gzip = report();
        OutgoingMail mail = compose(List.of("dmarc@example.com", "copy@reporter.example"), gzip);

        assertThat(mail.envelopeFrom()).isEqualTo("bounces@reporter.example");
        assertThat(mail.recipients()).containsExactly("dmarc@example.com", "copy@reporter.example");
        MimeMessage parsed = parse(mail.message());
        assertThat(parsed.getSubject()).isEqualTo(NAMES.subject());
        assertThat(parsed.getMessageID()).isEqualTo(NAMES.messageId());
        assertThat(parsed.getHeader("To", ",")).isEqualTo("dmarc@example.com, copy@reporter.example");
        assertThat(parsed.getHeader("Bcc")).isNull();
        assertThat(parsed.getHeader("From", ",")).isEqualTo("noreply@reporter.example");
        assertThat(parsed.getSentDate().toInstant()).isEqualTo(Instant.parse("2026-12-02T00:00:05Z"));
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat((String) parts.getBodyPart(0).getContent()).contains(NAMES.reportId());
        MimeBodyPart attachment = (MimeBodyPart) parts.getBodyPart(1);
        assertThat(attachment.getContentType()).startsWith("application/gzip");
        assertThat(attachment.getFileName()).isEqualTo(NAMES.fileName());
        assertThat(attachment.getDisposition()).isEqualTo("attachment");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(gzip);
    }

    @Test
    void aLongFileNameStandsWholeInTheAttachmentHeaders() {
        String label = "a".repeat(63);
        ReportNames names = ReportNames.aggregate("reporter.example", label + "." + label + ".example", BEGIN, END);
        assertThat(names.fileName()).hasSizeGreaterThan(100);
        String text = new String(
                compose("noreply@reporter.example", "bounces@reporter.example", names)
                        .message(),
                StandardCharsets.US_ASCII);
        // Folding is allowed; RFC 2231 pieces (filename*0=...) are not.
        String unfolded = text.replace("\r\n\t", " ").replace("\r\n ", " ");
        assertThat(unfolded)
                .contains("Content-Type: application/gzip; name=\"" + names.fileName() + "\"\r\n")
                .contains("Content-Disposition: attachment; filename=\"" + names.fileName() + "\"\r\n")
                .doesNotContain("name*");
    }

    @Test
    void theSameReportComposesToTheSameBytes() {
        byte[] gzip = report();
        String first = new String(compose(List.of("dmarc@example.com"), gzip).message(), StandardCharsets.US_ASCII);
        String second = new String(compose(List.of("dmarc@example.com"), gzip).message(), StandardCharsets.US_ASCII);
        // Only the MIME boundary is random (and so where the header holding it is folded);
        // everything a reader compares is the same.
        assertThat(normalized(first))
                .contains("Message-ID: " + NAMES.messageId())
                .isEqualTo(normalized(second));
    }

    private static String normalized(String message) {
        return message.replaceAll("----=_Part_[0-9_.]+", "B").replaceAll("\\s+", " ");
    }

    @Test
    void everyLineEndsWithCrLf() {
        String text = new String(compose(List.of("dmarc@example.com"), report()).message(), StandardCharsets.US_ASCII);
        assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "dmarc@example.com\r\nBcc: victim@evil.example",
                "dmarc@example.com\nX: y",
                "a b@example.com",
                "<dmarc@example.com>",
                "dmarc@exa\u0000mple.com",
                "nobody",
                "dmarc@",
                "x@-bad-.example",
                "a@b.example,c@d.example"
            })
    void recipientsThatCouldInjectHeadersAreRefused(String address) {
        assertThatThrownBy(() -> compose(List.of(address), report())).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"example.com\r\nBcc: x@evil.example", "exa mple.com", "example..com", "", "ex\u00e4mple.com"})
    void domainsThatCouldInjectHeadersAreRefused(String domain) {
        assertThatThrownBy(() -> ReportNames.aggregate("reporter.example", domain, BEGIN, END))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReportNames.aggregate(domain, "example.com", BEGIN, END))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "noreply@reporter.example\r\nBcc: victim@evil.example",
                "noreply@reporter.example>\r\nRCPT TO:<victim@evil.example",
                "noreply@reporter.example\nX: y",
                "noreply@reporter.example\rX: y"
            })
    void fromAndEnvelopeSenderThatCouldInjectAreRefused(String address) {
        assertThatThrownBy(() -> compose(address, "bounces@reporter.example", NAMES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContainingAny("\r", "\n");
        assertThatThrownBy(() -> compose("noreply@reporter.example", address, NAMES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContainingAny("\r", "\n");
    }

    @Test
    void errorMessagesNeverEchoControlCharacters() {
        assertThatThrownBy(() -> MailAddresses.requireValid("a@b.example\r\nBcc: c@d.example"))
                .hasMessageContaining("\\u000d\\u000a")
                .hasMessageNotContaining("\r");
    }

    static OutgoingMail compose(List<String> to, byte[] gzip) {
        return compose("noreply@reporter.example", "bounces@reporter.example", to, NAMES, gzip);
    }

    /** {@link #report()} for example.com's window, dated just after it. */
    private static OutgoingMail compose(String from, String returnPath, ReportNames names) {
        return compose(from, returnPath, List.of("dmarc@example.com"), names, report());
    }

    private static OutgoingMail compose(
            String from, String returnPath, List<String> to, ReportNames names, byte[] gzip) {
        return AggregateReportMail.compose(
                from, returnPath, to, names, "example.com", BEGIN, END, gzip, Instant.parse("2026-12-02T00:00:05Z"));
    }

    static byte[] report() {
        return report(
                ReportFormat.RFC9990,
                new PublishedPolicy(
                        "example.com",
                        Policy.REJECT,
                        Policy.REJECT,
                        Policy.REJECT,
                        AlignmentMode.RELAXED,
                        AlignmentMode.RELAXED,
                        "0",
                        false,
                        100));
    }

    /** The report's two rows (an IPv4 pass, an IPv6 reject) in {@code format}, under {@code policy}. */
    static byte[] report(ReportFormat format, PublishedPolicy policy) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AggregateReportWriter.writeGzip(
                    out,
                    format,
                    new ReportMetadata(
                            "reporter.example",
                            List.of("dmarc@reporter.example"),
                            null,
                            NAMES.reportId(),
                            BEGIN,
                            END,
                            "dmarc-reporter test",
                            null),
                    policy,
                    List.of(
                                    new CountedRow(
                                            new AggregateRow(
                                                    "192.0.2.1",
                                                    "example.com",
                                                    "example.com",
                                                    ReportedDisposition.PASS,
                                                    true,
                                                    true,
                                                    List.of(),
                                                    List.of(new DkimAuth("example.com", "s1", "pass")),
                                                    new SpfAuth("example.com", "mfrom", "pass")),
                                            41),
                                    new CountedRow(
                                            new AggregateRow(
                                                    "2001:db8::7",
                                                    "example.com",
                                                    "bounce.other.example",
                                                    ReportedDisposition.REJECT,
                                                    false,
                                                    false,
                                                    List.of(),
                                                    List.of(),
                                                    new SpfAuth("bounce.other.example", "mfrom", "fail")),
                                            2))
                            .iterator());
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static MimeMessage parse(byte[] message) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
    }
}
