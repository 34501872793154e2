package org.dmarcreporter.core.report.arf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.junit.jupiter.api.Test;

class ArfMessageTest {

    static final Instant DATE = Instant.parse("2026-12-01T10:15:35Z");

    static FeedbackReport dmarcReport(FailureCandidate c) {
        return FeedbackReports.dmarc(
                c,
                "example.com",
                "reporter.example",
                DkimIdentity.of("example.com", "sel1"),
                List.of(new SpfDns("example.com", "v=spf1 ip4:198.51.100.0/24 -all")));
    }

    static OutgoingMail compose(FeedbackReport report, Privacy privacy) {
        return ArfMessage.compose(report, Candidates.sender(), "ruf@example.com", privacy, DATE);
    }

    static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    static String partText(BodyPart part) throws Exception {
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void dmarcReportIsAMultipartReportWithTheRfc9991Fields() throws Exception {
        OutgoingMail mail = compose(dmarcReport(Candidates.forged()), Privacy.NONE);

        assertThat(mail.envelopeFrom()).isEqualTo("bounces@reporter.example");
        assertThat(mail.recipients()).containsExactly("ruf@example.com");
        MimeMessage m = parse(mail.message());
        assertThat(m.getContentType()).startsWith("multipart/report").contains("report-type=feedback-report");
        assertThat(m.getHeader("From", ",")).isEqualTo("noreply@reporter.example");
        assertThat(m.getHeader("To", ",")).isEqualTo("ruf@example.com");
        assertThat(m.getSubject()).isEqualTo("DMARC failure report for example.com from 192.0.2.7");
        assertThat(m.getSentDate().toInstant()).isEqualTo(DATE);
        assertThat(m.getMessageID()).isEqualTo(mail.messageId()).matches("<[0-9a-f]{32}\\.ruf@reporter\\.example>");

        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).isEqualTo("message/feedback-report");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");

        assertThat(partText(parts.getBodyPart(1)))
                .isEqualTo(String.join(
                        "\r\n",
                        "Feedback-Type: auth-failure",
                        "User-Agent: dmarc-reporter/0.1.0",
                        "Version: 1",
                        "Auth-Failure: dmarc",
                        "Identity-Alignment: dkim, spf",
                        "Original-Mail-From: <bounce@example.com>",
                        "Original-Rcpt-To: <alice@receiver.example>",
                        "Original-Rcpt-To: <bob@receiver.example>",
                        "Arrival-Date: Tue, 1 Dec 2026 10:15:30 +0000",
                        "Source-IP: 192.0.2.7",
                        "Source-Port: 54321",
                        "Reporting-MTA: dns; reporter.example",
                        "Reported-Domain: example.com",
                        "Authentication-Results: reporter.example; dmarc=fail header.from=example.com; dkim=fail "
                                + "header.d=example.com header.s=sel1; dkim=pass header.d=esp.example.net header.s=k1; "
                                + "spf=fail smtp.mailfrom=example.com",
                        "DKIM-Domain: example.com",
                        "DKIM-Identity: @example.com",
                        "DKIM-Selector: sel1",
                        "SPF-DNS: txt : example.com : \"v=spf1 ip4:198.51.100.0/24 -all\"",
                        ""));
    }

    @Test
    void theOriginalHeadersAreQuotedWithoutTheBody() throws Exception {
        MimeMultipart parts = (MimeMultipart)
                parse(compose(dmarcReport(Candidates.forged()), Privacy.NONE).message())
                        .getContent();
        String headers = partText(parts.getBodyPart(2));
        assertThat(headers).isEqualTo(Candidates.HEADERS.substring(0, Candidates.HEADERS.indexOf("\r\n\r\n") + 2));
        assertThat(new String(
                        compose(dmarcReport(Candidates.forged()), Privacy.NONE).message(), StandardCharsets.UTF_8))
                .doesNotContain("Body text");
    }

    @Test
    void aResultWithoutHeadersStillGetsAHeaderPart() throws Exception {
        FailureCandidate c =
                Candidates.candidate(Candidates.result(null), Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        MimeMultipart parts = (MimeMultipart)
                parse(compose(dmarcReport(c), Privacy.NONE).message()).getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(partText(parts.getBodyPart(2)))
                .isEqualTo("From: Example News <news@example.com>\r\nMessage-ID: <m1@mail.forger.example>\r\n");
    }

    @Test
    void theSameCandidateAndRecipientKeepTheirMessageId() {
        FeedbackReport report = dmarcReport(Candidates.forged());
        String first = compose(report, Privacy.NONE).messageId();
        assertThat(compose(report, Privacy.NONE).messageId()).isEqualTo(first);
        assertThat(ArfMessage.compose(report, Candidates.sender(), "other@example.com", Privacy.NONE, DATE)
                        .messageId())
                .isNotEqualTo(first);
        FeedbackReport spf = FeedbackReports.spf(
                Candidates.forged(), "example.com", "reporter.example", "example.com", List.of(), true);
        assertThat(compose(spf, Privacy.NONE).messageId()).isNotEqualTo(first);
    }

    @Test
    void incidentsAppearOnlyWhenMerged() throws Exception {
        FeedbackReport one = dmarcReport(Candidates.forged());
        assertThat(ArfMessage.feedbackFields(one, Candidates.sender(), Privacy.NONE))
                .doesNotContain("Incidents");
        String merged = ArfMessage.feedbackFields(one.withIncidents(12), Candidates.sender(), Privacy.NONE);
        assertThat(merged).contains("\r\nIncidents: 12\r\n");
        assertThat(parse(compose(one.withIncidents(12), Privacy.NONE).message()).getSubject())
                .endsWith(", 12 incidents");
        assertThatThrownBy(() -> one.withIncidents(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spfAndDkimVariantsCarryTheirFields() {
        FailureCandidate c = Candidates.forged();
        String spf = ArfMessage.feedbackFields(
                FeedbackReports.spf(
                        c,
                        "example.com",
                        "reporter.example",
                        "example.com",
                        List.of(new SpfDns("example.com", "v=spf1 -all ra=spf rr=f")),
                        false),
                Candidates.sender(),
                Privacy.NONE);
        assertThat(spf)
                .contains("Auth-Failure: spf\r\n", "SPF-DNS: txt : example.com : \"v=spf1 -all ra=spf rr=f\"\r\n")
                .doesNotContain("Identity-Alignment", "DKIM-");
        DkimCheck sig = c.result().dkim().get(0);
        String dkim = ArfMessage.feedbackFields(
                FeedbackReports.dkim(c, "example.com", "reporter.example", sig, 0, AuthFailure.SIGNATURE, true),
                Candidates.sender(),
                Privacy.NONE);
        assertThat(dkim)
                .contains(
                        "Auth-Failure: signature\r\n",
                        "Identity-Alignment: dkim, spf\r\n",
                        "DKIM-Domain: example.com\r\n",
                        "DKIM-Identity: @example.com\r\n",
                        "DKIM-Selector: sel1\r\n",
                        "Reported-Domain: example.com\r\n")
                .doesNotContain("SPF-DNS");
        assertThatThrownBy(() -> FeedbackReports.dkim(c, "example.com", "r.example", sig, 0, AuthFailure.SPF, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identityAlignmentNamesTheMechanismsThatFailedToAlign() {
        AuthenticationResult r = Candidates.result(null);
        Set<FailureTrigger> any = Set.of(FailureTrigger.DMARC_ANY_FAILED);
        assertThat(FeedbackReports.identityAlignment(
                        Candidates.candidate(r, any, false, false).verdict()))
                .isEqualTo("dkim, spf");
        assertThat(FeedbackReports.identityAlignment(
                        Candidates.candidate(r, any, true, false).verdict()))
                .isEqualTo("spf");
        assertThat(FeedbackReports.identityAlignment(
                        Candidates.candidate(r, any, false, true).verdict()))
                .isEqualTo("dkim");
        assertThat(FeedbackReports.identityAlignment(
                        Candidates.candidate(r, any, true, true).verdict()))
                .isEqualTo("none");
    }

    @Test
    void nullSenderAndUnknownPortAreWrittenAsSuch() {
        AuthenticationResult base = Candidates.result(null);
        AuthenticationResult r = new AuthenticationResult(
                null,
                null,
                base.sourceIp(),
                null,
                base.helo(),
                "",
                List.of(),
                base.headerFrom(),
                base.spf(),
                base.dkim(),
                null);
        FailureCandidate c = Candidates.candidate(r, Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        String fields = ArfMessage.feedbackFields(dmarcReport(c), Candidates.sender(), Privacy.NONE);
        assertThat(fields)
                .contains(
                        "Original-Mail-From: <>\r\n",
                        // No receivedAt: the time it was stored stands in.
                        "Arrival-Date: Tue, 1 Dec 2026 10:15:31 +0000\r\n")
                .doesNotContain("Source-Port", "Original-Rcpt-To");
    }

    @Test
    void nothingFromTheInputCanAddAHeaderOrAPart() throws Exception {
        String evil = "x\r\nBcc: victim@example.org\r\n\r\n--boundary\r\nContent-Type: text/html\r\n";
        AuthenticationResult base = Candidates.result(null);
        AuthenticationResult r = new AuthenticationResult(
                "<id\r\nBcc: a@b.example>",
                Candidates.RECEIVED,
                "192.0.2.7",
                25,
                "helo\r\nX-Evil: 1",
                "bounce@example.com\r\nBcc: x@y.example",
                List.of("alice@receiver.example\r\nBcc: z@y.example"),
                "news@example.com\r\nBcc: q@y.example",
                base.spf(),
                List.of(new DkimCheck(DkimResult.FAIL, "example.com", "sel\r\nBcc: s@y.example", true)),
                "Subject: hi\r\nX-Header: a\rBcc: lonecr@y.example\r\n--" + evil + "\nFrom: again\r\n");
        FailureCandidate c = Candidates.candidate(r, Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        FeedbackReport report = FeedbackReports.dmarc(
                c,
                "example.com",
                "reporter.example",
                DkimIdentity.of("example.com", "sel\r\nBcc: s@y.example"),
                List.of(new SpfDns("example.com", "v=spf1 -all\r\nBcc: dns@y.example")));
        byte[] bytes = compose(report, Privacy.NONE).message();
        MimeMessage m = parse(bytes);
        assertThat(m.getHeader("Bcc")).isNull();
        assertThat(m.getHeader("X-Evil")).isNull();
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        for (String line : partText(parts.getBodyPart(1)).split("\r\n")) {
            assertThat(line).as("feedback field line").matches("[A-Za-z-]+: .*");
        }
        for (String line : partText(parts.getBodyPart(2)).split("\r\n")) {
            assertThat(line).as("quoted header line").matches("([!-9;-~]+:.*|[ \t].*)");
        }
        // Every line of the whole message ends with CRLF: no bare CR or LF.
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text.replace("\r\n", "")).doesNotContain("\r", "\n");
    }

    @Test
    void redactionHashesLocalPartsInFieldsAndQuotedHeaders() throws Exception {
        Privacy privacy = new Privacy(
                LocalPartRedactor.withSecret("a secret of 16+ bytes".getBytes(StandardCharsets.UTF_8)),
                Privacy.HeaderScope.ALL);
        byte[] bytes = compose(dmarcReport(Candidates.forged()), privacy).message();
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("alice@", "bob@", "bounce@", "news@");
        String alice = privacy.redactor().token("alice");
        MimeMultipart parts = (MimeMultipart) parse(bytes).getContent();
        assertThat(partText(parts.getBodyPart(1)))
                .contains(
                        "Original-Rcpt-To: <" + alice + "@receiver.example>\r\n",
                        "Original-Mail-From: <" + privacy.redactor().token("bounce") + "@example.com>\r\n");
        String headers = partText(parts.getBodyPart(2));
        assertThat(headers)
                .contains(
                        "To: Alice <" + alice + "@receiver.example>",
                        "for <" + alice + "@receiver.example>",
                        "i=" + privacy.redactor().token("news") + "@example.com;",
                        // A Message-ID is an identifier, not a mailbox: it stays, so it can be matched with logs.
                        "Message-ID: <m1@mail.forger.example>");
        assertThat(partText(parts.getBodyPart(0))).contains("keyed hashes");
    }

    @Test
    void essentialScopeQuotesOnlyTheFieldsNeededToFindTheSource() throws Exception {
        Privacy privacy = new Privacy(null, Privacy.HeaderScope.ESSENTIAL);
        MimeMultipart parts = (MimeMultipart)
                parse(compose(dmarcReport(Candidates.forged()), privacy).message())
                        .getContent();
        String headers = partText(parts.getBodyPart(2));
        assertThat(Arrays.stream(headers.split("\r\n"))
                        .filter(l -> !l.startsWith("\t"))
                        .map(l -> l.split(":")[0]))
                .containsExactly("Received", "DKIM-Signature", "From", "Subject", "Date", "Message-ID");
    }

    @Test
    void nonAsciiHeadersAreEncodedAndReadBack() throws Exception {
        String headers = "From: Jos\u00e9 <jose@example.com>\r\nSubject: Caf\u00e9\r\n";
        FailureCandidate c =
                Candidates.candidate(Candidates.result(headers), Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        byte[] bytes = compose(dmarcReport(c), Privacy.NONE).message();
        for (byte b : bytes) {
            assertThat(b & 0xff).as("7-bit message").isLessThan(0x80);
        }
        MimeMultipart parts = (MimeMultipart) parse(bytes).getContent();
        assertThat(partText(parts.getBodyPart(2))).isEqualTo(headers);
    }

    @Test
    void unsafeRecipientsAreRefused() {
        FeedbackReport report = dmarcReport(Candidates.forged());
        assertThatThrownBy(() -> ArfMessage.compose(
                        report, Candidates.sender(), "a@b.example\r\nBcc: c@d.example", Privacy.NONE, DATE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArfMessage.Sender(
                        "noreply@reporter.example", "b@reporter.example", "reporter.example\r\nX: y", "ua"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
