package org.dmarcreporter.core.model;

import java.time.Instant;
import java.util.List;

/**
 * What a mail server posts for one message: the result object of {@code docs/ingest-api.md}.
 * Validation (with field names for the error body) happens in
 * {@link org.dmarcreporter.core.api.ResultReader}; this record only holds checked values.
 *
 * @param messageId    receiver's message id, or null
 * @param receivedAt   arrival time, or null for "now"
 * @param sourcePort   connecting port, or null
 * @param envelopeFrom MAIL FROM address or bare domain; {@code ""} is the null sender; null when not given
 * @param headers      original header block (CRLF separated), or null
 */
public record AuthenticationResult(
        String messageId,
        Instant receivedAt,
        String sourceIp,
        Integer sourcePort,
        String helo,
        String envelopeFrom,
        List<String> envelopeTo,
        String headerFrom,
        SpfCheck spf,
        List<DkimCheck> dkim,
        String headers) {

    public AuthenticationResult {
        envelopeTo = envelopeTo == null ? List.of() : List.copyOf(envelopeTo);
        dkim = dkim == null ? List.of() : List.copyOf(dkim);
    }
}
