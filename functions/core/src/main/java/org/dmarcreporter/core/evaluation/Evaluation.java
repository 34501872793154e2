package org.dmarcreporter.core.evaluation;

import java.util.List;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;

/**
 * Everything DMARC evaluation found for one message: the verdict, and what the reports need.
 *
 * @param headerFromDomain  the Author Domain (A-label, lower case), or null when none could be taken
 * @param policyDomain      where the applied record was found, or null when none applies
 * @param record            the applied record, or null
 * @param requestedPolicy   the policy the record asks for this message (p, sp or np), before t=y
 * @param disposition       what the domain owner asked for this message (after t=y)
 * @param reportedDisposition {@code policy_evaluated/disposition} (RFC 9990: {@code pass} when DMARC passed)
 * @param reasons           why the disposition differs from the published policy, if it does
 * @param envelopeFromDomain the MAIL FROM domain ({@code ""} for the null sender), or null when unknown
 * @param dkimResults       every DKIM signature evaluated, in RFC 9990 §3.1.3 priority order (at most 100)
 * @param spfResult         the SPF result for the MAIL FROM identity, or null when none applies
 */
public record Evaluation(
        DmarcResult result,
        String headerFromDomain,
        String policyDomain,
        DmarcRecord record,
        Policy requestedPolicy,
        Policy disposition,
        ReportedDisposition reportedDisposition,
        boolean dkimAligned,
        boolean spfAligned,
        List<OverrideReason> reasons,
        String envelopeFromDomain,
        List<DkimAuth> dkimResults,
        SpfAuth spfResult) {

    public Evaluation {
        reasons = List.copyOf(reasons);
        dkimResults = List.copyOf(dkimResults);
    }

    /** The aggregate-report row this message adds one to. */
    public AggregateRow toRow(String sourceIp) {
        return new AggregateRow(
                sourceIp,
                headerFromDomain,
                envelopeFromDomain,
                reportedDisposition,
                dkimAligned,
                spfAligned,
                reasons,
                dkimResults,
                spfResult);
    }

    /** True when the message counts in an aggregate report (a record applied and a result was reached). */
    public boolean reportable() {
        return record != null
                && policyDomain != null
                && (result == DmarcResult.PASS || result == DmarcResult.FAIL || result == DmarcResult.TEMPERROR);
    }

    public Verdict toVerdict(String messageId) {
        return new Verdict(messageId, policyDomain, result, disposition, dkimAligned, spfAligned);
    }
}
