package org.dmarcreporter.core.report.trigger;

import java.util.EnumSet;
import java.util.Set;
import org.dmarcreporter.core.evaluation.Evaluation;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.FailureOptions;
import org.dmarcreporter.core.record.PsdFlag;

/**
 * Decides which {@code fo} options a message's outcome matches, so that only messages a domain
 * asked failure reports for become failure candidates (RFC 9989 §4.7 tag {@code fo}; RFC 9991 §2-3).
 */
public final class FailureReportTriggers {

    private FailureReportTriggers() {}

    /** The matched options; empty when no failure report is wanted or allowed. */
    public static Set<FailureTrigger> matching(Evaluation evaluation, AuthenticationResult result) {
        DmarcRecord record = evaluation.record();
        if (record == null || record.failureUris().isEmpty()) {
            return Set.of(); // RFC 9989 §4.7: without ruf, fo is ignored and no failure report is sent
        }
        if (record.psd() == PsdFlag.Y) {
            return Set.of(); // RFC 9991 §2: ruf of a psd=y record MUST NOT be used
        }
        if (evaluation.result() != DmarcResult.PASS && evaluation.result() != DmarcResult.FAIL) {
            return Set.of(); // temporary errors: no definite failure to report
        }
        FailureOptions fo = record.failureOptions();
        Set<FailureTrigger> matched = EnumSet.noneOf(FailureTrigger.class);
        boolean dkimAligned = evaluation.dkimAligned();
        boolean spfAligned = evaluation.spfAligned();
        if (fo.allFail() && !dkimAligned && !spfAligned) {
            matched.add(FailureTrigger.DMARC_ALL_FAILED);
        }
        if (fo.anyFail() && (!dkimAligned || !spfAligned)) {
            matched.add(FailureTrigger.DMARC_ANY_FAILED);
        }
        if (fo.dkim() && anyDkimSignatureFailed(result)) {
            matched.add(FailureTrigger.DKIM_FAILED);
        }
        if (fo.spf() && spfFailed(result)) {
            matched.add(FailureTrigger.SPF_FAILED);
        }
        return matched;
    }

    /** fo=d: "a signature that failed evaluation, regardless of its alignment". */
    private static boolean anyDkimSignatureFailed(AuthenticationResult result) {
        for (DkimCheck sig : result.dkim()) {
            if (sig.result() == DkimResult.FAIL || sig.result() == DkimResult.PERMERROR) {
                return true;
            }
        }
        return false;
    }

    /** fo=s: "the message failed SPF evaluation, regardless of its alignment". */
    private static boolean spfFailed(AuthenticationResult result) {
        return result.spf() != null
                && (result.spf().result() == SpfResult.FAIL || result.spf().result() == SpfResult.PERMERROR);
    }
}
