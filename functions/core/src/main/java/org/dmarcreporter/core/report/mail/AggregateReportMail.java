package org.dmarcreporter.core.report.mail;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
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
            // Subject, file name and text are ASCII, with no CR/LF: ReportNames builds them from
            // validated LDH domain names, the window's dates and the report id. So the headers are
            // set as Jakarta would write them for ASCII, instead of being encoded, parsed and
            // re-written by setSubject, setText and saveChanges (AggregateReportMailBytesTest
            // compares the bytes); the attachment's name is written whole (attachmentHeader).
            message.setHeader("Subject", MimeUtility.fold(9, names.subject()));
            message.setHeader("Date", dateHeader(date));

            // 7bit: ASCII lines under 998 characters, which Angus would find by scanning the text.
            MimeBodyPart text = new PresetPart();
            text.setDataHandler(new DataHandler(new ByteArrayDataSource(
                    humanText(names, policyDomain, begin, end).getBytes(StandardCharsets.US_ASCII), TEXT_PLAIN)));
            text.setHeader("Content-Type", TEXT_PLAIN);
            text.setHeader("Content-Transfer-Encoding", "7bit");

            MimeBodyPart report = new PresetPart();
            report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzipReport, GZIP)));
            report.setHeader("Content-Type", attachmentHeader("Content-Type", GZIP, "name", names.fileName()));
            report.setHeader("Content-Transfer-Encoding", "base64");
            report.setHeader(
                    "Content-Disposition",
                    attachmentHeader("Content-Disposition", MimeBodyPart.ATTACHMENT, "filename", names.fileName()));

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

    /**
     * {@code value; parameter="fileName"}, folded only at the space. RFC 9990 §3.5.2 names the file
     * and readers match the name whole, but Jakarta's ParameterList splits values over 60
     * characters into RFC 2231 pieces ({@code filename*0=...; filename*1=...}), which many report
     * readers do not join. Its switch, {@code mail.mime.splitlongparameters}, is a system property
     * read once when the class loads, so a Session property cannot turn it off; the header is
     * written here instead. The name is safe as a quoted-string: {@link ReportNames} builds it from
     * letters, digits, {@code - _ . !} only (no quote, backslash or CR/LF).
     */
    static String attachmentHeader(String header, String value, String parameter, String fileName) {
        return MimeUtility.fold(header.length() + 2, value + "; " + parameter + "=\"" + fileName + "\"");
    }

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

    private static String humanText(ReportNames names, String policyDomain, long begin, long end) {
        return "This is a DMARC aggregate report (RFC 9990) for " + policyDomain + ".\r\n"
                + "It covers " + Instant.ofEpochSecond(begin) + " to " + Instant.ofEpochSecond(end) + " (UTC).\r\n"
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
