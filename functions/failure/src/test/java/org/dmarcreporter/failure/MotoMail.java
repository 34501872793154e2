package org.dmarcreporter.failure;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.aws.testing.MotoSes;

/**
 * The mail moto's SES accepted ({@link MotoSes}), each with its Message-ID header. moto adds the
 * To/Cc header addresses to a raw message's destinations, so the envelope recipient is the first.
 */
final class MotoMail {

    private static final Pattern MESSAGE_ID = Pattern.compile("\r\nMessage-ID: (<[^>\r\n]+>)\r\n");

    /** One message as sent: envelope recipient, Message-ID header, the raw bytes as text. */
    record Sent(String recipient, String messageId, String raw) {}

    private MotoMail() {}

    static List<Sent> sent() throws Exception {
        return MotoSes.sent().stream()
                .map(m -> {
                    Matcher id = MESSAGE_ID.matcher(m.raw());
                    return new Sent(m.recipient() == null ? "" : m.recipient(), id.find() ? id.group(1) : "", m.raw());
                })
                .toList();
    }
}
