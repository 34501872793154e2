package org.dmarcreporter.core.report.arf;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.report.mail.MimeSession;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * One failure report as mail (RFC 5965 §2, RFC 6522, RFC 9991 §4): a
 * {@code multipart/report; report-type=feedback-report} with, in order, a human-readable
 * {@code text/plain} part, the {@code message/feedback-report} part and the original's header
 * block as {@code text/rfc822-headers}. One message per recipient, so that each has a
 * Message-ID of its own that a retried send repeats.
 */
public final class ArfMessage {

    /** RFC 5322 §3.3 date-time, always in UTC. */
    static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    private static final Session SESSION = MimeSession.get();

    /** Longest line we write unfolded in the feedback part (RFC 5322 §2.1.1 allows 998). */
    private static final int MAX_LINE = 900;

    private ArfMessage() {}

    /**
     * Who sends the reports.
     *
     * @param from       the From address (in the {@code orgName} domain, so the report is DMARC-aligned, RFC 9991 §5.1)
     * @param returnPath the SMTP MAIL FROM ({@code returnPath})
     * @param orgName    our domain: {@code Reporting-MTA}, the authserv-id and the Message-ID domain
     * @param userAgent  {@code User-Agent} (RFC 5965 §3.1), e.g. {@code dmarc-reporter/0.1.0}
     */
    public record Sender(String from, String returnPath, String orgName, String userAgent) {
        public Sender {
            from = MailAddresses.requireValid(from);
            returnPath = MailAddresses.requireValid(returnPath);
            orgName = domainToken(orgName);
            userAgent = ArfText.value(Objects.requireNonNull(userAgent, "userAgent"));
        }
    }

    /**
     * @param recipient the one recipient (checked by {@link MailAddresses})
     * @param privacy   what to leave out ({@link Privacy#NONE} for nothing)
     * @param date      the Date header
     * @throws IllegalArgumentException when the recipient cannot be used safely
     */
    public static OutgoingMail compose(
            FeedbackReport report, Sender sender, String recipient, Privacy privacy, Instant date) {
        String to = MailAddresses.requireValid(recipient);
        String messageId = messageId(report.key(), to, sender.orgName());
        try {
            MimeMessage message = new FixedIdMessage(SESSION, messageId);
            message.setFrom(new InternetAddress(sender.from(), true));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            message.setSubject(subject(report), "US-ASCII");
            message.setSentDate(Date.from(date));
            message.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834 §5: no auto-replies to reports

            MimeBodyPart text = new MimeBodyPart();
            text.setText(humanText(report, privacy), "US-ASCII");

            String fields = feedbackFields(report, sender, privacy);
            MimeBodyPart feedback = new MimeBodyPart();
            feedback.setDataHandler(new DataHandler(
                    new ByteArrayDataSource(fields.getBytes(StandardCharsets.UTF_8), "message/feedback-report")));
            // RFC 2046 §5: a message/* part is not base64 or quoted-printable encoded.
            feedback.setHeader("Content-Transfer-Encoding", ArfText.isAscii(fields) ? "7bit" : "8bit");

            String headerText = privacy.apply(report.headers()).toText();
            boolean ascii = ArfText.isAscii(headerText);
            MimeBodyPart headers = new MimeBodyPart();
            headers.setDataHandler(new DataHandler(new ByteArrayDataSource(
                    headerText.getBytes(StandardCharsets.UTF_8),
                    "text/rfc822-headers; charset=" + (ascii ? "us-ascii" : "utf-8"))));
            headers.setHeader(
                    "Content-Transfer-Encoding", ascii && longestLine(headerText) <= 998 ? "7bit" : "quoted-printable");

            MimeMultipart multipart = new ReportMultipart();
            multipart.addBodyPart(text);
            multipart.addBodyPart(feedback);
            multipart.addBodyPart(headers);
            message.setContent(multipart);
            message.saveChanges();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048 + headerText.length() + fields.length());
            message.writeTo(bytes);
            return new OutgoingMail(sender.returnPath(), List.of(to), messageId, bytes.toByteArray());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("could not build the failure report " + report.key(), e);
        }
    }

    /**
     * {@code <hash@orgName>}: the same report key and recipient always give the same Message-ID,
     * so a send retried after a crash is recognisably the same message.
     */
    public static String messageId(String key, String recipient, String orgName) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest((key + "\u001f" + recipient.toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        StringBuilder b = new StringBuilder(80).append('<');
        for (int i = 0; i < 16; i++) {
            b.append(Character.forDigit((digest[i] >> 4) & 15, 16)).append(Character.forDigit(digest[i] & 15, 16));
        }
        return b.append(".ruf@").append(domainToken(orgName)).append('>').toString();
    }

    static String subject(FeedbackReport report) {
        String what = switch (report.authFailure()) {
            case DMARC -> "DMARC failure report for " + report.reportedDomain();
            case SPF -> "SPF failure report for " + report.reportedDomain();
            default ->
                "DKIM failure report for " + report.reportedDomain()
                        + (report.dkim() != null && report.dkim().selector() != null
                                ? " (s=" + report.dkim().selector() + ")"
                                : "");
        };
        String incidents = report.incidents() > 1 ? ", " + report.incidents() + " incidents" : "";
        return asciiLine(what + " from " + report.sourceIp() + incidents);
    }

    /** The {@code message/feedback-report} fields, one per line (long values folded), CRLF line ends. */
    static String feedbackFields(FeedbackReport r, Sender sender, Privacy privacy) {
        StringBuilder b = new StringBuilder(768);
        field(b, "Feedback-Type", "auth-failure");
        field(b, "User-Agent", sender.userAgent());
        field(b, "Version", "1");
        field(b, "Auth-Failure", r.authFailure().token());
        if (r.identityAlignment() != null) {
            field(b, "Identity-Alignment", r.identityAlignment());
        }
        if (r.originalMailFrom() != null
                && (r.originalMailFrom().isEmpty() || r.originalMailFrom().contains("@"))) {
            field(b, "Original-Mail-From", "<" + privacy.address(ArfText.value(r.originalMailFrom())) + ">");
        }
        for (String rcpt : r.originalRcptTo()) {
            field(b, "Original-Rcpt-To", "<" + privacy.address(ArfText.value(stripBrackets(rcpt))) + ">");
        }
        field(b, "Arrival-Date", RFC5322.format(r.arrivalDate().truncatedTo(ChronoUnit.SECONDS)));
        field(b, "Source-IP", r.sourceIp());
        if (r.sourcePort() != null) {
            field(b, "Source-Port", Integer.toString(r.sourcePort())); // RFC 6692 §3
        }
        field(b, "Reporting-MTA", "dns; " + sender.orgName());
        field(b, "Reported-Domain", r.reportedDomain());
        if (r.authenticationResults() != null) {
            field(b, "Authentication-Results", privacy.address(r.authenticationResults()));
        }
        if (r.dkim() != null) {
            field(b, "DKIM-Domain", r.dkim().domain());
            field(b, "DKIM-Identity", privacy.address(r.dkim().identity()));
            if (r.dkim().selector() != null) {
                field(b, "DKIM-Selector", r.dkim().selector());
            }
        }
        for (SpfDns spf : r.spfDns()) {
            field(
                    b,
                    "SPF-DNS",
                    "txt : " + ArfText.value(spf.domain()) + " : " + ArfText.quoted(ArfText.value(spf.record())));
        }
        if (r.incidents() > 1) {
            field(b, "Incidents", Integer.toString(r.incidents()));
        }
        return b.toString();
    }

    private static String humanText(FeedbackReport r, Privacy privacy) {
        String about = switch (r.authFailure()) {
            case DMARC -> "DMARC authentication failure report (RFC 9991)";
            case SPF -> "SPF authentication failure report (RFC 6652)";
            default -> "DKIM authentication failure report (RFC 6651)";
        };
        StringBuilder b = new StringBuilder(512);
        b.append("This is a ").append(about).append(".\r\n");
        b.append("A message claiming to be from ")
                .append(asciiLine(r.reportedDomain()))
                .append(" failed authentication (")
                .append(r.authFailure().token())
                .append(").\r\n");
        b.append("It arrived ")
                .append(RFC5322.format(r.arrivalDate().truncatedTo(ChronoUnit.SECONDS)))
                .append(" from ")
                .append(asciiLine(r.sourceIp()))
                .append(".\r\n");
        if (r.incidents() > 1) {
            b.append("This report stands for ").append(r.incidents()).append(" like incidents.\r\n");
        }
        b.append("The report fields follow as message/feedback-report (RFC 5965), and the message's header\r\n")
                .append("fields as text/rfc822-headers")
                .append(
                        privacy.redacts()
                                ? ", with the local parts of addresses replaced by keyed hashes (RFC 6590).\r\n"
                                : ".\r\n");
        return b.toString();
    }

    /** One field; a value too long for one line is folded at spaces (RFC 5322 §2.2.3), or cut when it has none. */
    private static void field(StringBuilder b, String name, String value) {
        String line = name + ": " + ArfText.value(value);
        int lineStart = 0;
        while (line.length() - lineStart > MAX_LINE) {
            int cut = line.lastIndexOf(' ', lineStart + MAX_LINE);
            if (cut <= lineStart) {
                cut = lineStart + MAX_LINE;
            }
            b.append(line, lineStart, cut).append("\r\n");
            if (line.charAt(cut) != ' ') {
                b.append(' '); // a continuation line starts with white space
            }
            lineStart = cut;
        }
        b.append(line, lineStart, line.length()).append("\r\n");
    }

    private static String stripBrackets(String address) {
        String a = address.trim();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1) : a;
    }

    /** A value for the Subject or text part: controls and non-ASCII become {@code ?}. */
    private static String asciiLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c >= 0x7f ? '?' : c);
        }
        return b.toString();
    }

    private static int longestLine(String text) {
        int longest = 0;
        int start = 0;
        while (true) {
            int end = text.indexOf("\r\n", start);
            if (end < 0) {
                return Math.max(longest, text.length() - start);
            }
            longest = Math.max(longest, end - start);
            start = end + 2;
        }
    }

    private static String domainToken(String name) {
        String d = Objects.requireNonNull(name, "orgName").trim().toLowerCase(Locale.ROOT);
        if (d.isEmpty() || !d.matches("[a-z0-9._-]{1,253}")) {
            throw new IllegalArgumentException("orgName is not a domain name: '" + name + "'");
        }
        return d;
    }

    /** {@code multipart/report; report-type=feedback-report} (RFC 6522 §3). */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws ParseException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "feedback-report");
            contentType = type.toString();
        }
    }

    /** Keeps our Message-ID: Jakarta Mail would otherwise make a random one on saveChanges(). */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
