package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The largest items an accepted request can make, stored in moto (which enforces DynamoDB's
 * 400 KB item limit): failure candidates of results at every API limit (1,000 long DKIM
 * signatures, 1,000 recipients, a 64 Ki-character header block) and the counter rows of 100
 * long signatures.
 */
class LargestRequestTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:15:00Z");
    private static final ReportingWindow EXAMPLE =
            new ReportingWindow("example.com", ReportingWindows.windowStart(T0, 0));
    private static final String WIDE = "\u20ac"; // three UTF-8 bytes
    private static final int RESULTS = 20; // 20 candidates of ~250 KB: more than one transaction's 4 MB

    @Test
    void resultsAtEveryApiLimitStoreWithAnIdempotencyKeyAndWithout() {
        try (MotoTables tables = new MotoTables();
                DynamoDbResultStore store = tables.store(new MutableClock(T0))) {
            List<StoredResult> results = new ArrayList<>();
            for (int i = 0; i < RESULTS; i++) {
                results.add(largest(i));
            }

            IngestOutcome keyed = store.ingest(
                    new IngestBatch("key-large", "d", "[]".getBytes(StandardCharsets.UTF_8), results, true, T0));
            IngestOutcome keyless =
                    store.ingest(new IngestBatch(null, "[]".getBytes(StandardCharsets.UTF_8), results, false, T0));

            assertThat(keyed).isInstanceOf(IngestOutcome.Stored.class);
            assertThat(keyless).isInstanceOf(IngestOutcome.Stored.class);
            assertThat(tables.totalCount()).isEqualTo(2L * RESULTS);
            List<Map<String, AttributeValue>> candidates = tables.scan(tables.candidates);
            assertThat(candidates).hasSize(RESULTS);
            for (Map<String, AttributeValue> c : candidates) {
                FailureCandidate stored =
                        StoredJson.candidate(c.get("candidate").s());
                assertThat(stored.result().dkim()).hasSizeLessThanOrEqualTo(FailureCandidate.MAX_SIGNATURES);
                assertThat(c.get("candidate").s().getBytes(StandardCharsets.UTF_8).length)
                        .isLessThan(300_000);
            }
        }
    }

    @Test
    void anAnswerTooLargeForOneItemIsKeptInPartsAndReplayedByteForByte() {
        try (MotoTables tables = new MotoTables();
                DynamoDbResultStore store = tables.store(new MutableClock(T0))) {
            // 500 verdicts with 512-character messageIds in three-byte characters: ~850 KB.
            StringBuilder answer = new StringBuilder("[");
            for (int i = 0; i < 500; i++) {
                answer.append(i == 0 ? "" : ",")
                        .append("{\"messageId\":\"")
                        .append(WIDE.repeat(508))
                        .append(i)
                        .append("\",\"policyDomain\":\"example.com\",\"dmarc\":\"pass\",\"disposition\":\"none\"}");
            }
            byte[] response = answer.append(']').toString().getBytes(StandardCharsets.UTF_8);
            assertThat(response.length).isGreaterThan(2 * IdempotencyLedger.MAX_RESPONSE_PART);
            List<StoredResult> results = StoreFixtures.spread("big", EXAMPLE, 500, 50, T0, false);

            IngestOutcome first = store.ingest(new IngestBatch("key-big", "d", response, results, false, T0));
            IngestOutcome again = store.ingest(
                    new IngestBatch("key-big", "d", "[]".getBytes(StandardCharsets.UTF_8), results, false, T0));

            assertThat(first).isInstanceOf(IngestOutcome.Stored.class);
            assertThat(again)
                    .isInstanceOfSatisfying(
                            IngestOutcome.Replayed.class,
                            r -> assertThat(r.response()).isEqualTo(response));
            assertThat(tables.totalCount()).isEqualTo(500);
        }
    }

    private static StoredResult largest(int i) {
        List<String> recipients = new ArrayList<>();
        List<DkimCheck> dkim = new ArrayList<>();
        List<DkimAuth> reported = new ArrayList<>();
        for (int j = 0; j < 1000; j++) {
            recipients.add(WIDE.repeat(300) + "@r.example");
            dkim.add(new DkimCheck(DkimResult.FAIL, WIDE.repeat(300) + j, WIDE.repeat(320), true));
            if (j < 100) {
                reported.add(new DkimAuth(WIDE.repeat(300) + j, WIDE.repeat(320), "fail"));
            }
        }
        StringBuilder headers = new StringBuilder();
        while (headers.length() + 80 <= 64 * 1024) {
            headers.append("X-").append(WIDE.repeat(75)).append(": \"\r\n");
        }
        String messageId = i + WIDE.repeat(500);
        AuthenticationResult result = new AuthenticationResult(
                messageId,
                T0,
                "192.0.2." + i,
                25,
                WIDE.repeat(320),
                WIDE.repeat(320),
                recipients,
                WIDE.repeat(2048),
                new SpfCheck(SpfResult.FAIL, WIDE.repeat(320), SpfScope.MFROM),
                dkim,
                headers.toString());
        String record = "v=DMARC1; p=reject; ruf=mailto:f@example.com; x=" + "\"".repeat(16 * 1024 - 60);
        FailureCandidate candidate = FailureCandidate.bounded(
                "cand-large-" + i,
                "example.com",
                record,
                Set.of(FailureTrigger.DMARC_ALL_FAILED),
                result,
                new Verdict(messageId, "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
                T0);
        AggregateRow row = new AggregateRow(
                "192.0.2." + i,
                "example.com",
                "bounce.example",
                ReportedDisposition.REJECT,
                false,
                false,
                List.of(),
                reported,
                null);
        return new StoredResult(messageId, EXAMPLE, row, record, candidate, i);
    }
}
