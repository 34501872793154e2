package org.dmarcreporter.core.report.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.codec.StoredJson;
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

class FailureCandidateTest {

    /** A character of three UTF-8 bytes: the most any accepted character of these fields costs. */
    private static final String WIDE = "\u20ac";

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    /** Every field at the ingest API's limit (ResultReader), in three-byte characters where it can be. */
    static AuthenticationResult largestAcceptedResult() {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            recipients.add(WIDE.repeat(320));
        }
        List<DkimCheck> dkim = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            dkim.add(new DkimCheck(DkimResult.FAIL, WIDE.repeat(320), WIDE.repeat(320), true));
        }
        StringBuilder headers = new StringBuilder();
        while (headers.length() + 80 <= 64 * 1024) {
            headers.append("X-").append(WIDE.repeat(75)).append(": \"\r\n");
        }
        return new AuthenticationResult(
                WIDE.repeat(512),
                NOW,
                "2001:db8::1",
                25,
                WIDE.repeat(320),
                WIDE.repeat(320),
                recipients,
                WIDE.repeat(2048),
                new SpfCheck(SpfResult.FAIL, WIDE.repeat(320), SpfScope.MFROM),
                dkim,
                headers.toString());
    }

    static FailureCandidate bounded(AuthenticationResult result, String record) {
        return FailureCandidate.bounded(
                "id",
                "example.com",
                record,
                Set.of(FailureTrigger.DMARC_ALL_FAILED),
                result,
                new Verdict(result.messageId(), "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
                NOW);
    }

    @Test
    void theLargestAcceptedResultMakesACandidateWellUnderOneDynamoDbItem() {
        // A record at the limit made of characters JSON escapes as six bytes each.
        String record = "v=DMARC1; p=reject; ruf=mailto:f@example.com; x=" + "\u0001".repeat(16 * 1024 - 60);

        FailureCandidate c = bounded(largestAcceptedResult(), record);

        int bytes = StoredJson.candidateJson(c).getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isLessThan(300_000); // DynamoDB: 400 KB per item, names and keys included
        assertThat(c.result().dkim()).hasSizeLessThanOrEqualTo(FailureCandidate.MAX_SIGNATURES);
        assertThat(c.result().envelopeTo()).hasSizeLessThanOrEqualTo(FailureCandidate.MAX_RECIPIENTS);
        assertThat(c.result().headers().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(FailureCandidate.MAX_HEADER_BYTES);
    }

    @Test
    void signaturesAndRecipientsAreCutToTheFirstOnesWithinTheLimits() {
        List<DkimCheck> dkim = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            dkim.add(new DkimCheck(DkimResult.FAIL, "d" + i + ".example", "s", false));
            recipients.add("r" + i + "@example.net");
        }
        AuthenticationResult small = new AuthenticationResult(
                "m",
                NOW,
                "192.0.2.1",
                null,
                null,
                null,
                recipients,
                "example.com",
                null,
                dkim,
                "From: a@example.com\r\n");

        FailureCandidate c = bounded(small, "v=DMARC1; p=reject");

        assertThat(c.result().dkim()).isEqualTo(dkim.subList(0, 100));
        assertThat(c.result().envelopeTo()).isEqualTo(recipients.subList(0, 100));
        assertThat(c.result().headers()).isEqualTo("From: a@example.com\r\n");
        assertThat(c.result().messageId()).isEqualTo("m");
    }

    @Test
    void theHeaderBlockIsCutAtAFieldBoundaryKeepingFoldedLinesWithTheirField() {
        String first = "From: a@example.com\r\n";
        String folded =
                "Subject: " + "a".repeat(100) + "\r\n " + "b".repeat(FailureCandidate.MAX_HEADER_BYTES) + "\r\n";
        String headers = first + folded + "To: c@example.net\r\n";

        assertThat(FailureCandidate.leadingLines(headers, FailureCandidate.MAX_HEADER_BYTES))
                .isEqualTo(first);
        assertThat(FailureCandidate.leadingLines(first + "To: x\r\n", 25)).isEqualTo(first);
        assertThat(FailureCandidate.leadingLines("X: " + WIDE.repeat(10), 10)).isEqualTo("X: " + WIDE.repeat(2));
        assertThat(FailureCandidate.leadingLines(null, 10)).isNull();
    }

    @Test
    void aRecordTooLongToStoreGivesNoCandidate() {
        String record =
                "v=DMARC1; p=reject; ruf=mailto:f@example.com; x=" + "a".repeat(FailureCandidate.MAX_RECORD_BYTES);

        assertThat(bounded(largestAcceptedResult(), record)).isNull();
    }
}
