package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.aggregate.MotoAggregate.SentReport;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.run.ReportLedger.ReportedWindow;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The aggregate functions end to end on moto: results stored through ingest, the send-now event
 * and the midnight event through {@link AggregateHandler}, the queued work through
 * {@link ReportWorkerHandler}, report mail read back from moto's SES. Skipped without
 * {@code DMARC_AWS_ENDPOINT}.
 */
class AggregateFunctionsMotoTest {

    static final long DAY = ReportingWindows.DAY_SECONDS;
    /** 2025-12-01T00:00:00Z. */
    static final long T0 = 1764547200L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MotoAggregate moto;

    @AfterEach
    void tearDown() {
        if (moto != null) {
            moto.close();
        }
    }

    private MotoAggregate moto(long at) {
        moto = new MotoAggregate(Instant.ofEpochSecond(at), 3);
        return moto;
    }

    private static JsonNode json(byte[] bytes) throws Exception {
        return JSON.readTree(bytes);
    }

    private static byte[] event(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String reportId(String domain, long start) {
        return start + "-" + domain + "@" + MotoAggregate.ORG;
    }

    @Test
    void sendNowSendsOneRawMessagePerRecipientWithTheReportIdAndAttachment() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.org", 3);
        moto.clock.set(Instant.ofEpochSecond(T0 + 7200));
        AggregateHandler handler = new AggregateHandler(moto.functions(moto.ses));

        JsonNode summary = json(handler.handle(event("{\"action\": \"send-now\"}")));

        assertThat(summary.get("trigger").asText()).isEqualTo("send-now");
        assertThat(summary.get("cutAt").asLong()).isEqualTo(T0 + 7200);
        JsonNode report = summary.get("reports").get(0);
        assertThat(report.get("status").asText()).isEqualTo("reported");
        assertThat(report.get("reportId").asText()).isEqualTo(reportId("example.org", T0));
        assertThat(report.get("dateRange").get("end").asLong()).isEqualTo(T0 + 7200 - 1);
        assertThat(report.get("messages").asLong()).isEqualTo(3);
        List<SentReport> sent = moto.sent();
        assertThat(sent)
                .extracting(SentReport::recipient)
                .containsExactlyInAnyOrder("agg1@example.org", "agg2@example.org");
        for (SentReport r : sent) {
            assertThat(r.messageId()).isEqualTo("<" + reportId("example.org", T0) + ">");
            assertThat(r.reportId()).isEqualTo(reportId("example.org", T0));
            assertThat(r.fileName())
                    .isEqualTo(MotoAggregate.ORG + "!example.org!" + T0 + "!" + (T0 + 7199) + ".xml.gz");
            assertThat(r.begin()).isEqualTo(T0);
            assertThat(r.end()).isEqualTo(T0 + 7199);
            assertThat(r.messages()).isEqualTo(3);
            assertThat(r.to()).contains("agg1@example.org").contains("agg2@example.org");
        }

        // Again: the window is reported and nothing was stored since the cut.
        moto.clock.advance(Duration.ofMinutes(5));
        JsonNode again = json(handler.handle(event("{\"action\": \"send-now\", \"domain\": \"example.org\"}")));
        assertThat(again.get("reports")).isEmpty();
        assertThat(again.get("domain").asText()).isEqualTo("example.org");
        assertThat(moto.sent()).hasSize(2);
    }

    @Test
    void aDryRunListsTheWouldBeMessagesAndSendsRecordsAndCutsNothing() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.com", 2);
        moto.clock.set(Instant.ofEpochSecond(T0 + 7200));
        AggregateHandler handler = new AggregateHandler(moto.functions(moto.ses));

        JsonNode summary = json(
                handler.handle(event("{\"action\": \"send-now\", \"domain\": \"example.com\", \"dryRun\": true}")));

        assertThat(summary.get("dryRun").asBoolean()).isTrue();
        assertThat(summary.get("reports").get(0).get("status").asText()).isEqualTo("dry-run");
        JsonNode message = summary.get("messages").get(0);
        assertThat(message.get("name").asText())
                .isEqualTo(MotoAggregate.ORG + "!example.com!" + T0 + "!" + (T0 + 7199) + ".eml");
        assertThat(message.get("messageId").asText()).isEqualTo("<" + reportId("example.com", T0) + ">");
        assertThat(message.get("recipients").get(0).asText()).isEqualTo("dmarc@example.com");
        assertThat(message.get("bytes").asLong()).isGreaterThan(500);
        assertThat(moto.sent()).isEmpty();
        assertThat(moto.ledger().cuts("example.com")).isEmpty();
        assertThat(moto.ledger().reported(new ReportingWindow("example.com", T0)))
                .isEmpty();
    }

    @Test
    void midnightQueuesOneMessagePerWindowAndTheWorkerReportsEach() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.com", 2);
        moto.ingest("example.net", 1);
        moto.clock.set(Instant.ofEpochSecond(T0 + DAY + 120));
        moto.ingest("example.com", 1); // today's window: stays for tomorrow
        ReportFunctions functions = moto.functions(moto.ses);

        JsonNode answer = json(new AggregateHandler(functions).handle(event(midnightEvent())));

        assertThat(answer.get("queued").asInt()).isEqualTo(2);
        assertThat(answer.get("batches").asInt()).isEqualTo(1);
        assertThat(answer.get("leftForLater").asInt()).isEqualTo(1);
        assertThat(answer.get("delaySeconds").asInt()).isZero();
        List<Message> queued = moto.receive();
        assertThat(queued)
                .extracting(m -> WorkItem.fromBody(m.body()).window())
                .containsExactlyInAnyOrder(
                        new ReportingWindow("example.com", T0), new ReportingWindow("example.net", T0));

        List<String> failed = moto.deliver(new ReportWorkerHandler(functions), queued);

        assertThat(failed).isEmpty();
        assertThat(moto.receive()).isEmpty();
        List<SentReport> sent = moto.sent();
        assertThat(sent)
                .extracting(SentReport::recipient)
                .containsExactlyInAnyOrder("dmarc@example.com", "dmarc@example.net");
        for (SentReport r : sent) {
            String domain = r.recipient().substring(r.recipient().indexOf('@') + 1);
            assertThat(r.reportId()).isEqualTo(reportId(domain, T0));
            assertThat(r.begin()).isEqualTo(T0);
            assertThat(r.end()).isEqualTo(T0 + DAY - 1);
            assertThat(r.messages()).isEqualTo(domain.equals("example.com") ? 2 : 1);
        }
        assertThat(moto.ledger().reported(new ReportingWindow("example.com", T0)))
                .map(ReportedWindow::reportId)
                .hasValue(reportId("example.com", T0));
    }

    @Test
    void aDomainAndARecipientThatFailAreRetriedAndReportedExactlyOnceWithTheSameIdAndRange() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.com", 2);
        moto.ingest("example.org", 4);
        moto.clock.set(Instant.ofEpochSecond(T0 + DAY + 120));
        FailingFor failing = new FailingFor(moto.ses, Set.of("dmarc@example.com", "agg2@example.org"));
        ReportFunctions functions = moto.functions(failing);
        new AggregateHandler(functions).handle(event(midnightEvent()));
        ReportWorkerHandler worker = new ReportWorkerHandler(functions);
        List<Message> first = moto.receive();

        List<String> failedFirst = moto.deliver(worker, first);

        // Both windows wait for a retry: kept on the queue, pushed back to their retry time (15 min).
        assertThat(failedFirst)
                .containsExactlyInAnyOrderElementsOf(
                        first.stream().map(Message::messageId).toList());
        assertThat(moto.receive()).isEmpty();
        assertThat(moto.sent()).extracting(SentReport::recipient).containsExactly("agg1@example.org");

        failing.failing = Set.of();
        moto.clock.advance(Duration.ofMinutes(16));
        moto.showAgain(first);
        List<Message> second = moto.receive();
        assertThat(second).hasSize(2);

        assertThat(moto.deliver(worker, second)).isEmpty();

        assertThat(moto.receive()).isEmpty();
        List<SentReport> sent = moto.sent();
        assertThat(sent)
                .extracting(SentReport::recipient)
                .containsExactlyInAnyOrder("agg1@example.org", "agg2@example.org", "dmarc@example.com");
        for (SentReport r : sent) {
            String domain = r.recipient().substring(r.recipient().indexOf('@') + 1);
            assertThat(r.reportId()).isEqualTo(reportId(domain, T0));
            assertThat(r.fileName())
                    .isEqualTo(MotoAggregate.ORG + "!" + domain + "!" + T0 + "!" + (T0 + DAY - 1) + ".xml.gz");
            assertThat(r.begin()).isEqualTo(T0);
            assertThat(r.end()).isEqualTo(T0 + DAY - 1);
        }
        // The next midnight has nothing left to queue.
        moto.clock.advance(Duration.ofDays(1));
        JsonNode next = json(new AggregateHandler(functions).handle(event(midnightEvent())));
        assertThat(next.get("queued").asInt()).isZero();
    }

    @Test
    void aMissedMidnightIsCaughtUpWithOneReportPerDayEachWithItsOwnRange() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.com", 1);
        moto.clock.set(Instant.ofEpochSecond(T0 + DAY + 3600)); // no run at T0 + DAY
        moto.ingest("example.com", 3);
        moto.clock.set(Instant.ofEpochSecond(T0 + 2 * DAY + 300));
        ReportFunctions functions = moto.functions(moto.ses);

        JsonNode answer = json(new AggregateHandler(functions).handle(event(midnightEvent())));
        assertThat(answer.get("queued").asInt()).isEqualTo(2);
        assertThat(moto.deliver(new ReportWorkerHandler(functions), moto.receive()))
                .isEmpty();

        Map<String, SentReport> byId = new LinkedHashMap<>();
        moto.sent().forEach(r -> byId.put(r.reportId(), r));
        assertThat(byId).containsOnlyKeys(reportId("example.com", T0), reportId("example.com", T0 + DAY));
        SentReport day1 = byId.get(reportId("example.com", T0));
        SentReport day2 = byId.get(reportId("example.com", T0 + DAY));
        assertThat(List.of(day1.begin(), day1.end(), day1.messages())).containsExactly(T0, T0 + DAY - 1, 1L);
        assertThat(List.of(day2.begin(), day2.end(), day2.messages())).containsExactly(T0 + DAY, T0 + 2 * DAY - 1, 3L);
        assertThat(moto.sent()).hasSize(2);
    }

    @Test
    void aPoisonMessageIsABatchItemFailureAndEndsInTheDeadLetterQueue() throws Exception {
        moto(T0 + 3600);
        moto.ingest("example.net", 1);
        moto.clock.set(Instant.ofEpochSecond(T0 + DAY + 120));
        ReportFunctions functions = moto.functions(moto.ses);
        new AggregateHandler(functions).handle(event(midnightEvent()));
        moto.sqs.sendMessage(b -> b.queueUrl(moto.queueUrl).messageBody("not a work item"));
        moto.sqs.sendMessage(
                b -> b.queueUrl(moto.queueUrl).messageBody("{\"domain\": \"bad domain\", \"windowStart\": 1}"));
        ReportWorkerHandler worker = new ReportWorkerHandler(functions);

        List<Message> batch = moto.receive();
        assertThat(batch).hasSize(3);
        List<String> failed = moto.deliver(worker, batch);

        List<String> poison = batch.stream()
                .filter(m -> !m.body().contains("example.net"))
                .map(Message::messageId)
                .toList();
        assertThat(failed).containsExactlyInAnyOrderElementsOf(poison);
        assertThat(moto.sent()).extracting(SentReport::recipient).containsExactly("dmarc@example.net");
        // Received three times (maxReceiveCount 3): then SQS moves them to the dead-letter queue.
        for (int i = 0; i < 2; i++) {
            assertThat(moto.deliver(worker, moto.receive())).hasSize(2);
        }
        assertThat(moto.receive()).isEmpty();
        List<String> dead = new ArrayList<>();
        moto.sqs
                .receiveMessage(b -> b.queueUrl(moto.deadLetterUrl).maxNumberOfMessages(10))
                .messages()
                .forEach(m -> dead.add(m.body()));
        assertThat(dead)
                .containsExactlyInAnyOrder("not a work item", "{\"domain\": \"bad domain\", \"windowStart\": 1}");
    }

    @Test
    void aBadEventIsAnsweredWithAProblemNamingTheField() throws Exception {
        moto(T0 + 3600);
        AggregateHandler handler = new AggregateHandler(moto.functions(moto.ses));

        JsonNode problem = json(handler.handle(event("{\"action\": \"send-now\", \"domain\": \"not a domain\"}")));

        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("domain");
        assertThat(moto.ledger().cuts("example.com")).isEmpty();
    }

    static String midnightEvent() {
        return """
                {"version": "0", "id": "5e4b5c53-0d4a-4b7e-9d1c-4c1f3e0f4a11", "detail-type": "Scheduled Event",
                 "source": "aws.events", "account": "123456789012", "time": "2025-12-02T00:00:00Z",
                 "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/midnight"],
                 "detail": {}}
                """;
    }

    /** SES, except that the listed recipients fail temporarily (as a throttled or paused SES would). */
    static final class FailingFor implements MailTransport {
        private final MailTransport ses;
        volatile Set<String> failing;

        FailingFor(MailTransport ses, Set<String> failing) {
            this.ses = ses;
            this.failing = failing;
        }

        @Override
        public Delivery send(OutgoingMail mail) {
            Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
            List<String> rest =
                    mail.recipients().stream().filter(r -> !failing.contains(r)).toList();
            Map<String, DeliveryOutcome> sent = rest.isEmpty()
                    ? Map.of()
                    : ses.send(new OutgoingMail(mail.envelopeFrom(), rest, mail.messageId(), mail.message()))
                            .outcomes();
            for (String r : mail.recipients()) {
                outcomes.put(
                        r,
                        failing.contains(r)
                                ? new DeliveryOutcome.TemporaryFailure("454 throttled (test)")
                                : sent.get(r));
            }
            return new Delivery(mail.messageId(), outcomes);
        }
    }
}
