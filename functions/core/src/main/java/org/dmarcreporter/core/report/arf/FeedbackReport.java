package org.dmarcreporter.core.report.arf;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The content of one failure report: the fields of its {@code message/feedback-report} part
 * (RFC 5965 §3, RFC 6591 §3, RFC 6692, RFC 9991 §4) and the quoted header block. Built from a
 * failure candidate by {@link FeedbackReports}; turned into mail by {@link ArfMessage}.
 *
 * @param key                   stable for the same candidate and report variant (e.g.
 *                              {@code <candidate id>/dmarc}): with the recipient it makes the
 *                              Message-ID, so a retried send carries the same one
 * @param identityAlignment     the RFC 9991 value ({@code none}, {@code dkim}, {@code spf},
 *                              {@code dkim, spf}: the mechanisms that failed to produce an aligned
 *                              pass), or null to leave the field out (RFC 6651/6652 reports to
 *                              {@code ra=} addresses, which are not DMARC reports)
 * @param reportedDomain        {@code Reported-Domain}
 * @param originalMailFrom      the MAIL FROM address; {@code ""} for the null sender; null when unknown
 * @param originalRcptTo        the RCPT TO addresses (one {@code Original-Rcpt-To} each)
 * @param arrivalDate           {@code Arrival-Date}
 * @param sourceIp              {@code Source-IP}
 * @param sourcePort            {@code Source-Port} (RFC 6692), or null when not known
 * @param authenticationResults the {@code Authentication-Results} value (RFC 8601), without the field name
 * @param dkim                  the DKIM fields, or null
 * @param spfDns                the {@code SPF-DNS} fields (possibly none)
 * @param incidents             how many like incidents this report stands for ({@code Incidents}
 *                              is written when more than one, RFC 5965 §3.3, RFC 9991 §8.1)
 * @param headers               the original header block (never a body)
 */
public record FeedbackReport(
        String key,
        AuthFailure authFailure,
        String identityAlignment,
        String reportedDomain,
        String originalMailFrom,
        List<String> originalRcptTo,
        Instant arrivalDate,
        String sourceIp,
        Integer sourcePort,
        String authenticationResults,
        DkimIdentity dkim,
        List<SpfDns> spfDns,
        int incidents,
        HeaderBlock headers) {

    public FeedbackReport {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(authFailure, "authFailure");
        Objects.requireNonNull(reportedDomain, "reportedDomain");
        Objects.requireNonNull(arrivalDate, "arrivalDate");
        Objects.requireNonNull(sourceIp, "sourceIp");
        Objects.requireNonNull(headers, "headers");
        originalRcptTo = originalRcptTo == null ? List.of() : List.copyOf(originalRcptTo);
        spfDns = spfDns == null ? List.of() : List.copyOf(spfDns);
        if (incidents < 1) {
            throw new IllegalArgumentException("incidents must be at least 1: " + incidents);
        }
    }

    /** The same report standing for {@code count} like incidents (a merge, RFC 9991 §8.1). */
    public FeedbackReport withIncidents(int count) {
        return new FeedbackReport(
                key,
                authFailure,
                identityAlignment,
                reportedDomain,
                originalMailFrom,
                originalRcptTo,
                arrivalDate,
                sourceIp,
                sourcePort,
                authenticationResults,
                dkim,
                spfDns,
                count,
                headers);
    }
}
