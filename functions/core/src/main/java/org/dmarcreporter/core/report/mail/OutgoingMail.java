package org.dmarcreporter.core.report.mail;

import java.util.List;
import java.util.Objects;

/**
 * One message ready to send: the exact RFC 5322 bytes and the SMTP envelope. Every mail path
 * (SES raw, the local outbox, an SMTP relay) sends these bytes unchanged.
 *
 * @param envelopeFrom the SMTP MAIL FROM ({@code returnPath} setting)
 * @param recipients   the SMTP RCPT TO addresses; each also stands in the To or Cc header
 * @param messageId    the Message-ID header's value, with angle brackets
 * @param message      the whole message, CRLF line ends
 */
public record OutgoingMail(String envelopeFrom, List<String> recipients, String messageId, byte[] message) {

    public OutgoingMail {
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(message, "message");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
    }
}
