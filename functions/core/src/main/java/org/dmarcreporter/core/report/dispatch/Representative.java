package org.dmarcreporter.core.report.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.dmarcreporter.core.report.arf.AuthFailure;
import org.dmarcreporter.core.report.arf.DkimIdentity;
import org.dmarcreporter.core.report.arf.FeedbackReport;
import org.dmarcreporter.core.report.arf.HeaderBlock;
import org.dmarcreporter.core.report.arf.SpfDns;
import org.dmarcreporter.core.report.routing.PlannedReport;

/**
 * The text a merge slot keeps ({@link FailureLedger#joinSlot}): one planned report as JSON, so
 * that the flush can build the merged report without the candidate or DNS. Unredacted, like the
 * stored candidate it comes from; redaction happens when the mail is composed.
 *
 * @param v          the format's version (1)
 * @param recipient  the report's recipient
 * @param route      why it gets it
 * @param report     the report's fields
 */
record Representative(int v, String recipient, PlannedReport.Route route, Fields report) {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The fields of a {@link FeedbackReport}, in JSON-friendly types. */
    record Fields(
            String key,
            AuthFailure authFailure,
            String identityAlignment,
            String reportedDomain,
            String originalMailFrom,
            List<String> originalRcptTo,
            String arrivalDate,
            String sourceIp,
            Integer sourcePort,
            String authenticationResults,
            DkimIdentity dkim,
            List<SpfDns> spfDns,
            List<HeaderBlock.Field> headers) {}

    static String encode(PlannedReport planned) {
        FeedbackReport r = planned.report();
        Fields f = new Fields(
                r.key(),
                r.authFailure(),
                r.identityAlignment(),
                r.reportedDomain(),
                r.originalMailFrom(),
                r.originalRcptTo(),
                r.arrivalDate().toString(),
                r.sourceIp(),
                r.sourcePort(),
                r.authenticationResults(),
                r.dkim(),
                r.spfDns(),
                r.headers().fields());
        try {
            return JSON.writeValueAsString(new Representative(1, planned.recipient(), planned.route(), f));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a planned report always encodes", e);
        }
    }

    /**
     * The planned report a slot kept.
     *
     * @throws IllegalArgumentException when the text is not one {@link #encode} wrote
     */
    static PlannedReport decode(String text) {
        try {
            Representative rep = JSON.readValue(text, Representative.class);
            if (rep.v() != 1 || rep.report() == null || rep.recipient() == null || rep.route() == null) {
                throw new IllegalArgumentException("not a version 1 representative");
            }
            Fields f = rep.report();
            FeedbackReport report = new FeedbackReport(
                    f.key(),
                    f.authFailure(),
                    f.identityAlignment(),
                    f.reportedDomain(),
                    f.originalMailFrom(),
                    f.originalRcptTo(),
                    Instant.parse(f.arrivalDate()),
                    f.sourceIp(),
                    f.sourcePort(),
                    f.authenticationResults(),
                    f.dkim(),
                    f.spfDns(),
                    1,
                    HeaderBlock.of(f.headers() == null ? List.of() : f.headers()));
            return new PlannedReport(report, rep.recipient(), rep.route());
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable slot representative: " + e.getMessage(), e);
        }
    }
}
