package org.dmarcreporter.core.report.trigger;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.Verdict;

/**
 * A message whose domain asked for failure reports ({@code ruf}) and whose outcome matched its
 * {@code fo} tag: the failure function turns each into reports.
 *
 * <p>A candidate is stored as one record (one DynamoDB item, at most 400 KB), so {@link #bounded}
 * keeps only what a failure report can use of the result as posted; see
 * {@code docs/dynamodb-data-model.md} for the worst-case size.
 *
 * @param id           stable for the same message, so a retried write creates nothing new
 * @param policyRecord the DMARC record that applied (its {@code ruf} says where reports go)
 * @param triggers     the {@code fo} options that matched
 * @param result       the result as posted (headers included), within the bounds of {@link #bounded}
 * @param verdict      the verdict we answered
 * @param storedAt     when it was accepted
 */
@JsonPropertyOrder({"id", "policyDomain", "policyRecord", "triggers", "storedAt", "verdict", "result"})
public record FailureCandidate(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String id,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String policyDomain,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String policyRecord,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        Set<FailureTrigger> triggers,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        AuthenticationResult result,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        Verdict verdict,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        Instant storedAt) {

    /** RFC 9990 §3.1.3 reports at most 100 signatures per row; a failure report needs no more. */
    public static final int MAX_SIGNATURES = 100;
    /** UTF-8 bytes of the kept signatures' domains and selectors together. */
    public static final int MAX_SIGNATURE_BYTES = 16 * 1024;
    /** Recipients kept (ARF's Original-Rcpt-To is optional, RFC 6591 §3.2). */
    public static final int MAX_RECIPIENTS = 100;

    public static final int MAX_RECIPIENT_BYTES = 8 * 1024;
    /**
     * UTF-8 bytes of the header block kept. RFC 9991 reports carry the header block (or a part of
     * it); the fields a report needs (From, To, Subject, Date, Message-ID, DKIM-Signature) are
     * near the top. Cut at a line boundary so that no header line is left half.
     */
    public static final int MAX_HEADER_BYTES = 32 * 1024;
    /**
     * A DMARC record longer than this (UTF-8 bytes) gets no failure candidate: real records are a
     * few hundred bytes, and a record cannot be shortened without changing what it says.
     */
    public static final int MAX_RECORD_BYTES = 16 * 1024;

    public FailureCandidate {
        // In declaration order, so that the stored JSON lists them the same way every time.
        EnumSet<FailureTrigger> ordered = EnumSet.noneOf(FailureTrigger.class);
        ordered.addAll(triggers);
        triggers = Collections.unmodifiableSet(ordered);
    }

    /**
     * The candidate for a result, with the result cut to what one stored record can hold: the
     * first signatures and recipients within the limits above, the header block's leading lines
     * within {@link #MAX_HEADER_BYTES}. Null when the record is over {@link #MAX_RECORD_BYTES}.
     * Every other field is already bounded by the ingest API's limits.
     */
    public static FailureCandidate bounded(
            String id,
            String policyDomain,
            String policyRecord,
            Set<FailureTrigger> triggers,
            AuthenticationResult result,
            Verdict verdict,
            Instant storedAt) {
        if (policyRecord != null && utf8(policyRecord) > MAX_RECORD_BYTES) {
            return null;
        }
        AuthenticationResult kept = new AuthenticationResult(
                result.messageId(),
                result.receivedAt(),
                result.sourceIp(),
                result.sourcePort(),
                result.helo(),
                result.envelopeFrom(),
                leading(result.envelopeTo(), MAX_RECIPIENTS, MAX_RECIPIENT_BYTES, FailureCandidate::utf8),
                result.headerFrom(),
                result.spf(),
                leading(result.dkim(), MAX_SIGNATURES, MAX_SIGNATURE_BYTES, d -> utf8(d.domain()) + utf8(d.selector())),
                leadingLines(result.headers(), MAX_HEADER_BYTES));
        return new FailureCandidate(id, policyDomain, policyRecord, triggers, kept, verdict, storedAt);
    }

    /** The first elements, at most {@code maxCount} of them and {@code maxBytes} together. */
    static <T> List<T> leading(List<T> all, int maxCount, int maxBytes, ToIntFunction<T> bytes) {
        List<T> out = new ArrayList<>(Math.min(all.size(), maxCount));
        long used = 0;
        for (T t : all) {
            used += bytes.applyAsInt(t);
            if (out.size() == maxCount || used > maxBytes) {
                break;
            }
            out.add(t);
        }
        return out;
    }

    /**
     * The longest prefix of whole header fields (each with its line break, folded lines included)
     * within {@code maxBytes}; a first field longer than that is cut at a character boundary.
     */
    static String leadingLines(String headers, int maxBytes) {
        if (headers == null || utf8(headers) <= maxBytes) {
            return headers;
        }
        int bytes = 0;
        int lastLineEnd = 0;
        for (int i = 0; i < headers.length(); i++) {
            char c = headers.charAt(i);
            int size = c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            if (bytes + size > maxBytes) {
                if (lastLineEnd > 0) {
                    return headers.substring(0, lastLineEnd);
                }
                return headers.substring(0, Character.isLowSurrogate(c) ? i - 1 : i);
            }
            bytes += size;
            // A line break followed by SP or HTAB folds the field (RFC 5322 §2.2.3): not a boundary.
            if (c == '\n'
                    && (i + 1 == headers.length() || (headers.charAt(i + 1) != ' ' && headers.charAt(i + 1) != '\t'))) {
                lastLineEnd = i + 1;
            }
        }
        return headers;
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
