package org.dmarcreporter.aws.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * Hand-built store input: rows, results and failure candidates that look like what IngestService
 * makes (a few domains, passing and failing mixes), without DNS or evaluation.
 */
final class StoreFixtures {

    static final String RECORD = "v=DMARC1; p=reject; rua=mailto:rua@example.com; ruf=mailto:ruf@example.com; fo=1";

    private StoreFixtures() {}

    /** Row {@code n} of a domain: source IP 192.0.2.(n % 250) or 198.51.100.x; even n pass, odd n fail. */
    static AggregateRow row(String domain, int n) {
        boolean pass = n % 2 == 0;
        String ip = n < 250 ? "192.0.2." + n : "198.51.100." + (n - 250);
        return new AggregateRow(
                ip,
                domain,
                pass ? domain : "bounce.forger.test",
                pass ? ReportedDisposition.PASS : ReportedDisposition.REJECT,
                pass,
                pass,
                List.of(),
                List.of(new DkimAuth(pass ? domain : "forger.test", "s1", pass ? "pass" : "fail")),
                new SpfAuth(pass ? domain : "bounce.forger.test", "mfrom", pass ? "pass" : "fail"));
    }

    static StoredResult result(String messageId, ReportingWindow window, AggregateRow row) {
        return new StoredResult(messageId, window, row, RECORD, null, 0);
    }

    static StoredResult result(
            String messageId,
            ReportingWindow window,
            AggregateRow row,
            String policyRecord,
            FailureCandidate candidate) {
        return new StoredResult(messageId, window, row, policyRecord, candidate, 0);
    }

    /** A failure candidate for a failing message of {@code window}'s domain. */
    static FailureCandidate candidate(String id, String messageId, ReportingWindow window, Instant storedAt) {
        String domain = window.policyDomain();
        AuthenticationResult result = new AuthenticationResult(
                messageId,
                storedAt,
                "203.0.113.9",
                25,
                "mail.forger.test",
                "bounce@forger.test",
                List.of("postmaster@receiver.test"),
                "Mallory <ceo@" + domain + ">",
                new SpfCheck(SpfResult.FAIL, "forger.test", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "forger.test", "s1", false)),
                "From: Mallory <ceo@" + domain + ">\r\nSubject: invoice\r\nMessage-ID: <" + messageId + ">\r\n");
        Verdict verdict = new Verdict(messageId, domain, DmarcResult.FAIL, Policy.REJECT, false, false);
        return new FailureCandidate(
                id, domain, RECORD, Set.of(FailureTrigger.DMARC_ALL_FAILED), result, verdict, storedAt);
    }

    /**
     * {@code messages} results spread evenly over {@code rows} rows of one window, messageIds
     * {@code <prefix>-<i>} and request index {@code i}; every 10th failing message carries a failure
     * candidate.
     */
    static List<StoredResult> spread(
            String prefix, ReportingWindow window, int messages, int rows, Instant storedAt, boolean withCandidates) {
        List<StoredResult> out = new ArrayList<>(messages);
        for (int i = 0; i < messages; i++) {
            int r = i % rows;
            String messageId = prefix + "-" + i + "@mail.example";
            FailureCandidate c = withCandidates && r % 2 == 1 && i % 10 == 1
                    ? candidate("cand-" + prefix + "-" + i, messageId, window, storedAt)
                    : null;
            out.add(new StoredResult(messageId, window, row(window.policyDomain(), r), RECORD, c, i));
        }
        return out;
    }

    /** The same results with their list positions as request indexes, as IngestService numbers them. */
    static List<StoredResult> indexed(List<StoredResult> results) {
        List<StoredResult> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            StoredResult r = results.get(i);
            out.add(new StoredResult(r.messageId(), r.window(), r.row(), r.policyRecord(), r.failureCandidate(), i));
        }
        return out;
    }
}
