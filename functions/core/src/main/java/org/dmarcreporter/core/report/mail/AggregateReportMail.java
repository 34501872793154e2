package org.dmarcreporter.core.report.mail;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParameterList;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The email that carries one aggregate report (RFC 9990 §3.5.2): RFC 5322 + MIME, a short
 * {@code text/plain} part for people and the report as an {@code application/gzip} attachment
 * named by {@link ReportNames#fileName()}, Subject and Message-ID from {@link ReportNames}. Every
 * recipient stands in the To header (never only in Bcc).
 */
public final class AggregateReportMail {

    /** MIME type of a gzip-compressed report (RFC 9990 §3.5.2, RFC 6713). */
    public static final String GZIP = "application/gzip";

    private static final Session SESSION = MimeSession.get();

    private AggregateReportMail() {}

    /**
     * @param from         the From address (in the {@code orgName} domain, see docs/settings.md)
     * @param envelopeFrom the SMTP MAIL FROM ({@code returnPath})
     * @param to           the recipients, in order; each checked by {@link MailAddresses}
     * @param names        the report's names
     * @param policyDomain the domain the report is about
     * @param begin        first second of the window
     * @param end          last second of the window
     * @param gzipReport   the gzip-compressed report XML
     * @param date         the Date header
     * @throws IllegalArgumentException when an address cannot be used safely
     */
    public static OutgoingMail compose(
            String from,
            String envelopeFrom,
            List<String> to,
            ReportNames names,
            String policyDomain,
            long begin,
            long end,
            byte[] gzipReport,
            Instant date) {
        String sender = MailAddresses.requireValid(from);
        String returnPath = MailAddresses.requireValid(envelopeFrom);
        List<String> recipients = to.stream().map(MailAddresses::requireValid).toList();
        try {
            MimeMessage message = new FixedIdMessage(SESSION, names.messageId());
            message.setFrom(new InternetAddress(sender, true));
            InternetAddress[] toHeader = new InternetAddress[recipients.size()];
            for (int i = 0; i < recipients.size(); i++) {
                toHeader[i] = new InternetAddress(recipients.get(i), true);
            }
            message.setRecipients(Message.RecipientType.TO, toHeader);
            String subject = names.subject();
            if (isAscii(subject)) {
                // What setSubject(subject, "US-ASCII") writes for ASCII text, without encodeText.
                message.setHeader("Subject", MimeUtility.fold(9, subject));
            } else {
                message.setSubject(subject, "US-ASCII");
            }
            message.setHeader("Date", dateHeader(date));

            String human = humanText(names, policyDomain, begin, end);
            MimeBodyPart text;
            if (isSevenBit(human)) {
                // The bytes text/plain's content handler would write; 7bit is what Angus would
                // choose for ASCII lines under 998 characters (it scans the text to find out).
                text = new PresetPart();
                text.setDataHandler(new DataHandler(
                        new ByteArrayDataSource(human.getBytes(StandardCharsets.US_ASCII), TEXT_PLAIN)));
                text.setHeader("Content-Type", TEXT_PLAIN);
                text.setHeader("Content-Transfer-Encoding", "7bit");
            } else {
                text = new MimeBodyPart();
                text.setText(human, "US-ASCII");
            }

            String fileName = names.fileName();
            MimeBodyPart report;
            if (isAscii(fileName)) {
                // The headers setFileName + setDisposition + saveChanges arrive at, built once from
                // the same Angus classes instead of being parsed and re-written three times. The
                // name is a validated LDH domain pair (ReportNames): no CR/LF, no encoding needed.
                report = new PresetPart();
                report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzipReport, GZIP)));
                ContentType type = new ContentType("application", "gzip", null);
                type.setParameter("name", fileName);
                report.setHeader("Content-Type", type.toString());
                report.setHeader("Content-Transfer-Encoding", "base64");
                ParameterList parameters = new ParameterList();
                parameters.set("filename", fileName);
                report.setHeader(
                        "Content-Disposition", new ContentDisposition(MimeBodyPart.ATTACHMENT, parameters).toString());
            } else {
                report = new MimeBodyPart();
                report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzipReport, GZIP)));
                report.setFileName(fileName);
                report.setDisposition(MimeBodyPart.ATTACHMENT);
                report.setHeader("Content-Transfer-Encoding", "base64");
            }

            MimeMultipart mixed = new MimeMultipart("mixed");
            mixed.addBodyPart(text);
            mixed.addBodyPart(report);
            message.setContent(mixed);
            message.saveChanges();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream(gzipReport.length * 4 / 3 + 4096);
            message.writeTo(bytes);
            return new OutgoingMail(returnPath, recipients, names.messageId(), bytes.toByteArray());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("could not build the report message for " + policyDomain, e);
        }
    }

    private static final String TEXT_PLAIN = "text/plain; charset=US-ASCII";

    private static final MailDateFormat DATE_FORMAT = new MailDateFormat();

    /** The last Date header written: a run dates all its reports with the same second. */
    private static volatile FormattedDate lastDate;

    private record FormattedDate(long epochMilli, String text) {}

    /**
     * The Date header exactly as setSentDate writes it (a MailDateFormat made at class load, so in
     * the default time zone of then, as MimeMessage's own), formatted once per distinct instant:
     * MailDateFormat is slow and setSentDate serialises every thread on one shared instance.
     */
    static String dateHeader(Instant date) {
        long millis = date.toEpochMilli();
        FormattedDate last = lastDate;
        if (last != null && last.epochMilli() == millis) {
            return last.text();
        }
        String text;
        synchronized (DATE_FORMAT) {
            text = DATE_FORMAT.format(new Date(millis));
        }
        lastDate = new FormattedDate(millis, text);
        return text;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** ASCII, and no line longer than 998 characters (RFC 5322 §2.1.1): what Angus sends as 7bit. */
    private static boolean isSevenBit(String s) {
        int line = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == 0) {
                return false;
            }
            if (c == '\r' || c == '\n') {
                line = 0;
            } else if (++line > 998) {
                return false;
            }
        }
        return true;
    }

    /** The window's "It covers ..." line: the same for every report of a run. */
    private static volatile Covers lastCovers;

    private record Covers(long begin, long end, String line) {}

    private static String humanText(ReportNames names, String policyDomain, long begin, long end) {
        Covers covers = lastCovers;
        if (covers == null || covers.begin() != begin || covers.end() != end) {
            covers = new Covers(
                    begin,
                    end,
                    "It covers " + Instant.ofEpochSecond(begin) + " to " + Instant.ofEpochSecond(end) + " (UTC).\r\n");
            lastCovers = covers;
        }
        return "This is a DMARC aggregate report (RFC 9990) for " + policyDomain + ".\r\n"
                + covers.line()
                + "Report-ID: " + names.reportId() + "\r\n"
                + "The report is attached as " + names.fileName() + ".\r\n";
    }

    /**
     * A part whose Content-Type, Content-Transfer-Encoding (and Content-Disposition) are set
     * before saveChanges: Angus's updateHeaders would only parse them again and keep them as
     * they are, so it is skipped.
     */
    private static final class PresetPart extends MimeBodyPart {
        @Override
        protected void updateHeaders() {}
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
