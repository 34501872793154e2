package org.dmarcreporter.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.junit.jupiter.api.Test;

class StoredJsonTest {

    @Test
    void aRowReadsBackEqualWithTheSameKey() {
        AggregateRow row = new AggregateRow("2001:db8::1", "example.com", "", ReportedDisposition.QUARANTINE,
                false, true, List.of(OverrideReason.POLICY_TEST_MODE, new OverrideReason("other", "a \"quoted\" note")),
                List.of(new DkimAuth("example.com", "s1", "fail"), new DkimAuth("esp.example", "k", "pass")),
                new SpfAuth("example.com", "mfrom", "pass"));

        AggregateRow back = StoredJson.row(StoredJson.rowJson(row));

        assertThat(back).isEqualTo(row);
        assertThat(back.key()).isEqualTo(row.key());
    }

    @Test
    void rowsThatDifferOnlyInEnvelopeFromPresenceHaveDifferentKeys() {
        AggregateRow unknown = new AggregateRow("192.0.2.1", "example.com", null, ReportedDisposition.NONE,
                true, false, List.of(), List.of(), null);
        AggregateRow nullSender = new AggregateRow("192.0.2.1", "example.com", "", ReportedDisposition.NONE,
                true, false, List.of(), List.of(), null);

        assertThat(unknown.key()).isNotEqualTo(nullSender.key());
        assertThat(StoredJson.row(StoredJson.rowJson(unknown)).envelopeFrom()).isNull();
    }

    @Test
    void aFailureCandidateReadsBackWithTheWholeResult() {
        AuthenticationResult result = new AuthenticationResult("m-1", Instant.parse("2026-11-27T09:00:00Z"),
                "192.0.2.7", 25025, "mx.sender.example", "bounce@sender.example", List.of("a@rcpt.example"),
                "Alice <alice@example.com>", new SpfCheck(SpfResult.FAIL, "sender.example", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "example.com", "s1", true)),
                "From: Alice <alice@example.com>\r\nSubject: hi\r\n");
        FailureCandidate candidate = new FailureCandidate("id-1", "example.com", "v=DMARC1; p=reject; ruf=mailto:f@example.com",
                Set.of(FailureTrigger.DMARC_ALL_FAILED, FailureTrigger.DKIM_FAILED), result,
                new Verdict("m-1", "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
                Instant.parse("2026-11-27T09:00:01Z"));

        FailureCandidate back = StoredJson.candidate(StoredJson.candidateJson(candidate));

        assertThat(back).isEqualTo(candidate);
    }
}
