package org.dmarcreporter.core.report.mail;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The compose() of commit 8211099, kept as the oracle the faster one must match byte for byte;
 * since then the attachment's name parameters are written whole (never split per RFC 2231).
 */
final class OracleAggregateReportMail {

    private static final Session SESSION = MimeSession.get();

    private OracleAggregateReportMail() {}

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
    static OutgoingMail compose(
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
            message.setSubject(names.subject(), "US-ASCII");
            message.setSentDate(Date.from(date));

            MimeBodyPart text = new MimeBodyPart();
            text.setText(humanText(names, policyDomain, begin, end), "US-ASCII");

            MimeBodyPart report = new MimeBodyPart();
            report.setDataHandler(new DataHandler(new ByteArrayDataSource(gzipReport, AggregateReportMail.GZIP)));
            // Not setFileName: its ParameterList would split a name over 60 characters (RFC 2231).
            report.setHeader(
                    "Content-Type", MimeUtility.fold(14, "application/gzip; name=\"" + names.fileName() + "\""));
            report.setHeader(
                    "Content-Disposition", MimeUtility.fold(21, "attachment; filename=\"" + names.fileName() + "\""));
            report.setHeader("Content-Transfer-Encoding", "base64");

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

    private static String humanText(ReportNames names, String policyDomain, long begin, long end) {
        return "This is a DMARC aggregate report (RFC 9990) for " + policyDomain + ".\r\n"
                + "It covers " + Instant.ofEpochSecond(begin) + " to " + Instant.ofEpochSecond(end) + " (UTC).\r\n"
                + "Report-ID: " + names.reportId() + "\r\n"
                + "The report is attached as " + names.fileName() + ".\r\n";
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
