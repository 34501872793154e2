package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.RecordingMailTransport;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.run.InMemoryReportLedger;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The aggregate function's answers without AWS: in-memory ledger, recording transport. */
class AggregateHandlerTest {

    static final long T0 = 1764547200L;
    private static final ObjectMapper JSON = new ObjectMapper();

    final InMemoryReportLedger ledger = new InMemoryReportLedger();
    final RecordingMailTransport transport = new RecordingMailTransport();
    final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0 + 7200));

    AggregateHandler handler(int maxAnswerBytes) {
        Map<String, String> env = Map.of(
                "ORG_NAME", "reporter.example",
                "CONTACT_EMAIL", "dmarc-contact@reporter.example",
                "REPORTS_TABLE", "unused",
                "WORK_QUEUE_URL", "http://127.0.0.1:9/queue/work",
                "SENDS_PER_SECOND", "1000");
        SqsClient sqs = SqsClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build();
        return new AggregateHandler(
                ReportFunctions.fromEnvironment(
                        env::get,
                        ledger,
                        transport,
                        sqs,
                        ZoneFileResolver.fromText("$ORIGIN .\n"),
                        clock,
                        clock::advance),
                maxAnswerBytes);
    }

    void add(String domain) {
        AggregateRow row = new AggregateRow(
                "192.0.2.1",
                domain,
                domain,
                ReportedDisposition.PASS,
                true,
                true,
                List.of(),
                List.of(new DkimAuth(domain, "s1", "pass")),
                new SpfAuth(domain, "mfrom", "pass"));
        ledger.add(
                new ReportingWindow(domain, T0),
                "v=DMARC1; p=none; rua=mailto:dmarc@" + domain,
                row.key(),
                new CountedRow(row, 1));
    }

    static JsonNode answer(AggregateHandler handler, String event) throws Exception {
        return JSON.readTree(handler.handle(event.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sendNowCutsWaitsTheSettleTimeAndAnswersTheSummary() throws Exception {
        add("d1.example");

        JsonNode summary = answer(handler(AggregateHandler.MAX_ANSWER_BYTES), "{\"action\": \"send-now\"}");

        assertThat(ledger.cuts("d1.example")).containsExactly(T0 + 7200);
        // 30 s of settle, well within the AWS CLI's 60 s read timeout (docs/send-now.md, "In AWS")
        assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(T0 + 7200 + 30));
        assertThat(summary.get("reports").get(0).get("status").asText()).isEqualTo("reported");
        assertThat(summary.get("totals").get("sent").asInt()).isEqualTo(1);
        assertThat(transport.receivedBy("dmarc@d1.example")).hasSize(1);
    }

    @Test
    void aLongSummaryKeepsTheWindowsThatNeedAttentionAndTheTotals() throws Exception {
        for (int i = 0; i < 40; i++) {
            add("d" + i + ".example");
        }
        transport.fail("dmarc@d7.example", new DeliveryOutcome.TemporaryFailure("451 later"));

        JsonNode summary = answer(handler(4_000), "{\"action\": \"send-now\"}");

        assertThat(summary.get("reports")).hasSize(1);
        assertThat(summary.get("reports").get(0).get("domain").asText()).isEqualTo("d7.example");
        assertThat(summary.get("reportsOmitted").asInt()).isEqualTo(39);
        assertThat(summary.get("totals").get("reported").asInt()).isEqualTo(39);
        assertThat(summary.get("totals").get("pending").asInt()).isEqualTo(1);

        JsonNode tiny = answer(handler(300), "{\"action\": \"send-now\"}");
        assertThat(tiny.get("reports")).isEmpty();
        assertThat(tiny.get("reportsOmitted").asInt()).isEqualTo(1);
        assertThat(tiny.get("totals").get("windows").asInt()).isEqualTo(1);
    }

    @Test
    void anEventOverTheSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        String padded =
                "{\"action\": \"send-now\", \"domain\": \"" + "a".repeat(AggregateHandler.MAX_EVENT_BYTES) + "\"}";

        JsonNode problem = answer(handler(AggregateHandler.MAX_ANSWER_BYTES), padded);

        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("body");
        assertThat(ledger.cuts("d1.example")).isEmpty();
    }
}
