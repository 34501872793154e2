package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
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
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "messageId",
    "receivedAt",
    "sourceIp",
    "sourcePort",
    "helo",
    "envelopeFrom",
    "envelopeTo",
    "headerFrom",
    "spf",
    "dkim",
    "headers"
})
public record AuthenticationResult(
        String messageId,
        Instant receivedAt,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String sourceIp,

        Integer sourcePort,
        String helo,
        String envelopeFrom,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> envelopeTo,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String headerFrom,

        SpfCheck spf,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DkimCheck> dkim,
        String headers) {

    public AuthenticationResult {
        envelopeTo = envelopeTo == null ? List.of() : List.copyOf(envelopeTo);
        dkim = dkim == null ? List.of() : List.copyOf(dkim);
    }
}
