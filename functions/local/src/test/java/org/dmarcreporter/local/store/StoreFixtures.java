package org.dmarcreporter.local.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
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
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;

/** Results and batches for store tests. */
final class StoreFixtures {

    static final String RECORD = "v=DMARC1; p=reject; rua=mailto:agg@example.com; ruf=mailto:fail@example.com";

    private StoreFixtures() {}

    static AggregateRow row(String sourceIp, String domain) {
        return new AggregateRow(
                sourceIp,
                domain,
                "bounce." + domain,
                ReportedDisposition.REJECT,
                false,
                false,
                List.of(),
                List.of(new DkimAuth(domain, "s1", "fail")),
                new SpfAuth("bounce." + domain, "mfrom", "fail"));
    }

    static ReportingWindow window(String domain, Instant storedAt) {
        return ReportingWindows.windowFor(domain, storedAt, 0);
    }

    /** A result for {@code domain} from {@code sourceIp}, stored at {@code storedAt}. */
    static StoredResult result(String messageId, String domain, String sourceIp, Instant storedAt) {
        return new StoredResult(messageId, window(domain, storedAt), row(sourceIp, domain), RECORD, null, 0);
    }

    static StoredResult withRecord(StoredResult r, String policyRecord) {
        return new StoredResult(
                r.messageId(), r.window(), r.row(), policyRecord, r.failureCandidate(), r.requestIndex());
    }

    static StoredResult withCandidate(StoredResult r, String candidateId, Instant storedAt) {
        AuthenticationResult posted = new AuthenticationResult(
                r.messageId(),
                storedAt,
                r.row().sourceIp(),
                25,
                "mx.attacker.test",
                "bounce@attacker.test",
                List.of("bob@example.org"),
                "Billing <billing@" + r.window().policyDomain() + ">",
                new SpfCheck(SpfResult.FAIL, "attacker.test", SpfScope.MFROM),
                List.of(),
                "From: billing@" + r.window().policyDomain() + "\r\nSubject: invoice\r\n");
        FailureCandidate candidate = new FailureCandidate(
                candidateId,
                r.window().policyDomain(),
                r.policyRecord(),
                Set.of(FailureTrigger.DMARC_ALL_FAILED),
                posted,
                new Verdict(r.messageId(), r.window().policyDomain(), DmarcResult.FAIL, Policy.REJECT, false, false),
                storedAt);
        return new StoredResult(r.messageId(), r.window(), r.row(), r.policyRecord(), candidate, r.requestIndex());
    }

    static IngestBatch batch(Instant storedAt, List<StoredResult> results) {
        return new IngestBatch(null, response("[]"), results, true, storedAt);
    }

    static IngestBatch batch(String key, String response, Instant storedAt, List<StoredResult> results) {
        return new IngestBatch(key, response(response), results, true, storedAt);
    }

    static byte[] response(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
