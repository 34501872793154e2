package org.dmarcreporter.failure;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.aws.dynamodb.DynamoDbResultStore;
import org.dmarcreporter.aws.sqs.SqsFlushScheduler;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.failure.MotoMail.Sent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The failure function end to end against moto ({@code DMARC_AWS_ENDPOINT}), through the real SDK:
 * results posted through the ingest path (IngestService and DynamoDbResultStore, which puts the
 * candidates), the candidates table's stream read with DynamoDB Streams and handed to the handler
 * as Lambda would, reports sent with SES and read back from moto, merged reports through a real SQS
 * message. DNS from a zone; time from a test clock (never moto's TTL or schedules).
 */
class FailureFunctionTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:15:00Z");
    private static final String RUF_A = "ruf-a@example.com";
    private static final String RUF_B = "ruf-b@example.com";
    private static final String ZONE = """
            $TTL 300
            $ORIGIN example.com.
            _dmarc IN TXT "v=DMARC1; p=reject; ruf=mailto:ruf-a@example.com,mailto:ruf-b@example.com; fo=1"
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(NOW);
    private final List<String> metricLines = new ArrayList<>();
    private AwsClients clients;
    private DynamoDbClient db;
    private DynamoDbStreamsClient streams;
    private SesV2Client ses;
    private SqsClient sqs;
    private TestTable reports;
    private TestTable candidates;
    private String queueUrl;
    private DynamoDbResultStore store;

    @BeforeEach
    void setUp() {
        // Mail is read from moto's global record: each test starts from none (tests run one at a time).
        AwsTestEndpoint.assumeAvailable();
        AwsTestEndpoint.resetMoto();
        clients = AwsTestEndpoint.clients();
        db = AwsTestEndpoint.dynamoDb();
        streams = clients.configure(DynamoDbStreamsClient.builder()).build();
        ses = clients.sesV2();
        sqs = clients.sqs();
        try {
            ses.createEmailIdentity(b -> b.emailIdentity("reporter.example"));
        } catch (AlreadyExistsException e) {
            // verified by an earlier test
        }
        reports = TestTable.builder(db)
                .namePrefix("reports")
                .partitionKey("pk")
                .sortKey("sk")
                .timeToLive("expiresAt")
                .create();
        candidates = TestTable.builder(db).namePrefix("candidates").partitionKey("pk").stream(StreamViewType.NEW_IMAGE)
                .timeToLive("expiresAt")
                .create();
        queueUrl =
                sqs.createQueue(b -> b.queueName("flush-" + UUID.randomUUID())).queueUrl();
        store = new DynamoDbResultStore(db, reports.name(), candidates.name(), clock);
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        if (streams != null) {
            streams.close();
            ses.close();
            sqs.close();
        }
    }

    @Test
    void eachCandidateIsReportedOncePerRecipientAndARetriedBatchSendsNothingMore() throws Exception {
        ingest(result("192.0.2.1", "m1"), result("192.0.2.2", "m2"), result("192.0.2.3", "m3"));
        DynamodbEvent batch = stream();
        assertThat(batch.getRecords()).hasSize(3);
        FailureStreamHandler handler = new FailureStreamHandler(function(Map.of()));

        StreamsEventResponse first = handler.handleRequest(batch, null);

        assertThat(first.getBatchItemFailures()).isEmpty();
        List<Sent> sent = MotoMail.sent();
        assertThat(sent).hasSize(6);
        assertThat(perRecipient(sent))
                .containsOnlyKeys(RUF_A, RUF_B)
                .allSatisfy((to, ids) -> assertThat(ids).hasSize(3).doesNotHaveDuplicates());
        assertThat(sent).allSatisfy(m -> {
            assertThat(m.raw()).contains("Content-Type: multipart/report;").contains("report-type=feedback-report");
            assertThat(m.raw()).contains("Feedback-Type: auth-failure");
        });
        assertThat(metric(0, "sent")).isEqualTo(6);

        // Lambda delivers the same batch again (a retry from an earlier failed record, a lost answer)
        StreamsEventResponse again = handler.handleRequest(batch, null);

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(MotoMail.sent()).hasSize(6);
        assertThat(metric(1, "sent")).isZero();
        assertThat(metric(1, "alreadySent")).isEqualTo(6);
    }

    @Test
    void aPoisonRecordIsReportedAsAFailureWhileTheOthersAreSent() throws Exception {
        ingest(result("192.0.2.1", "m1"));
        db.putItem(b -> b.tableName(candidates.name())
                .item(Map.of(
                        "pk", AttributeValue.builder().s("poison").build(),
                        "candidate", AttributeValue.builder().s("{\"id\": ").build())));
        db.putItem(b -> b.tableName(candidates.name())
                .item(Map.of("pk", AttributeValue.builder().s("no-candidate").build())));
        ingest(result("192.0.2.2", "m2"));
        DynamodbEvent batch = stream();
        assertThat(batch.getRecords()).hasSize(4);
        String poison = sequenceOf(batch, "poison");
        String empty = sequenceOf(batch, "no-candidate");

        StreamsEventResponse response = new FailureStreamHandler(function(Map.of())).handleRequest(batch, null);

        assertThat(response.getBatchItemFailures())
                .extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(poison, empty);
        assertThat(perRecipient(MotoMail.sent()))
                .containsOnlyKeys(RUF_A, RUF_B)
                .allSatisfy((to, ids) -> assertThat(ids).hasSize(2));
    }

    @Test
    void recordsLeftWhenTimeRunsOutAreReportedForTheRetryAndNothingIsSent() throws Exception {
        ingest(result("192.0.2.1", "m1"), result("192.0.2.2", "m2"));
        DynamodbEvent batch = stream();
        TestContext almostOver = new TestContext((int) FailureStreamHandler.TIME_MARGIN_MILLIS - 1);

        StreamsEventResponse response = new FailureStreamHandler(function(Map.of())).handleRequest(batch, almostOver);

        assertThat(response.getBatchItemFailures())
                .extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(
                        batch.getRecords().get(0).getDynamodb().getSequenceNumber(),
                        batch.getRecords().get(1).getDynamodb().getSequenceNumber());
        assertThat(MotoMail.sent()).isEmpty();
        assertThat(almostOver.logged).singleElement().asString().contains("out of time");
    }

    @Test
    void aPoisonRecordIsLoggedByKeyAndReasonOnly() throws Exception {
        db.putItem(b -> b.tableName(candidates.name())
                .item(Map.of(
                        "pk", AttributeValue.builder().s("poison").build(),
                        "candidate",
                                AttributeValue.builder()
                                        .s("{\"secret\": \"alice@example.com")
                                        .build())));
        TestContext context = new TestContext(60_000);

        new FailureStreamHandler(function(Map.of())).handleRequest(stream(), context);

        assertThat(context.logged)
                .singleElement()
                .asString()
                .contains("poison record", "pk poison")
                .doesNotContain("alice");
    }

    @Test
    void recordsOtherThanInsertsAreLeftAlone() throws Exception {
        ingest(result("192.0.2.1", "m1"));
        DynamodbEvent batch = stream();
        DynamodbStreamRecord removed = batch.getRecords().get(0);
        removed.setEventName("REMOVE");

        StreamsEventResponse response = new FailureStreamHandler(function(Map.of())).handleRequest(batch, null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(MotoMail.sent()).isEmpty();
    }

    @Test
    void likeIncidentsWithinTheMergeWindowGoOutAsOneReportWithIncidents() throws Exception {
        // One source, one domain, one failure kind: one merge slot per recipient. A 1-second window
        // keeps moto's real SQS delay short; the dispatcher's time is the test clock.
        FailureFunction function = function(Map.of("FAILURE_REPORT_MERGE_SECONDS", "1"));
        ingest(result("192.0.2.9", "m1"), result("192.0.2.9", "m2"), result("192.0.2.9", "m3"));

        StreamsEventResponse response = new FailureStreamHandler(function).handleRequest(stream(), null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(MotoMail.sent()).hasSize(2); // the first incident, at once, to each recipient
        assertThat(metric(0, "merged")).isEqualTo(4);

        List<Message> flushes = receiveFlushes(2);
        assertThat(flushes).hasSize(2); // one per recipient's slot
        clock.set(NOW.plusSeconds(1));
        SQSEvent event = sqsEvent(flushes);
        FlushQueueHandler flushHandler = new FlushQueueHandler(function);

        SQSBatchResponse flushed = flushHandler.handleRequest(event, null);

        assertThat(flushed.getBatchItemFailures()).isEmpty();
        List<Sent> sent = MotoMail.sent();
        assertThat(sent).hasSize(4);
        List<Sent> merged =
                sent.stream().filter(m -> m.raw().contains("Incidents: 2")).toList();
        assertThat(merged).extracting(Sent::recipient).containsExactlyInAnyOrder(RUF_A, RUF_B);
        assertThat(merged).allSatisfy(m -> assertThat(m.raw()).contains(", 2 incidents"));

        // SQS delivers the flush again: the slot was taken, nothing more goes out
        assertThat(flushHandler.handleRequest(event, null).getBatchItemFailures())
                .isEmpty();
        assertThat(MotoMail.sent()).hasSize(4);
    }

    @Test
    void aFlushArrivingBeforeItsDueTimeIsPutBackWithTheRestOfTheDelay() throws Exception {
        FailureFunction function = function(Map.of());
        SQSEvent event = sqsEvent(List.of(Message.builder()
                .messageId("early")
                .body(SqsFlushScheduler.body("slot-x", NOW.getEpochSecond() + 1_800))
                .build()));

        SQSBatchResponse response = new FlushQueueHandler(function).handleRequest(event, null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        String delayed = sqs.getQueueAttributes(b ->
                        b.queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
        assertThat(delayed).isEqualTo("1");
        assertThat(MotoMail.sent()).isEmpty();
    }

    @Test
    void anUnreadableFlushMessageIsReportedAsAFailure() {
        SQSEvent event = sqsEvent(List.of(
                Message.builder().messageId("bad").body("not json").build(),
                Message.builder()
                        .messageId("good")
                        .body(SqsFlushScheduler.body("nothing-held", NOW.getEpochSecond()))
                        .build()));

        SQSBatchResponse response = new FlushQueueHandler(function(Map.of())).handleRequest(event, null);

        assertThat(response.getBatchItemFailures())
                .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("bad");
    }

    // --- helpers ---

    private FailureFunction function(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "ORG_NAME", "reporter.example",
                "CONTACT_EMAIL", "dmarc@reporter.example",
                "RETURN_PATH", "",
                "COPY_REPORTS_TO", "",
                "REPORTS_TABLE", reports.name(),
                "FAILURE_FLUSH_QUEUE_URL", queueUrl,
                "FAILURE_REPORT_REDACTION_SECRET", "a test secret of more than sixteen bytes"));
        env.putAll(extra);
        return FailureFunction.fromEnvironment(
                env::get, ZoneFileResolver.fromText(ZONE), db, ses, sqs, clock, "stream", metricLines::add);
    }

    private void ingest(String... results) {
        IngestService ingest = new IngestService(
                new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)),
                store,
                SettingsReader.read(Map.of("orgName", "reporter.example", "contactEmail", "dmarc@reporter.example")),
                clock);
        ApiResponse response = ingest.handle(new ApiRequest(
                ("[" + String.join(",", results) + "]").getBytes(StandardCharsets.UTF_8), "application/json", null));
        assertThat(response.status())
                .as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
    }

    /** A message that fails DMARC at example.com (fo=1): SPF fails for another domain, no DKIM. */
    private static String result(String ip, String messageId) {
        return """
                {"messageId": "%s", "sourceIp": "%s", "envelopeFrom": "bounce@forger.example",
                 "envelopeTo": ["bob@receiver.example"], "headerFrom": "Alice <alice@example.com>",
                 "spf": {"result": "fail", "domain": "forger.example", "scope": "mfrom"},
                 "headers": "From: Alice <alice@example.com>\\r\\nTo: bob@receiver.example\\r\\nSubject: hi\\r\\nMessage-ID: <%s@forger.example>\\r\\n"}
                """.formatted(messageId, ip, messageId);
    }

    private DynamodbEvent stream() {
        return StreamEvents.readAll(
                streams, candidates.streamArn().orElseThrow(), clients.region().id());
    }

    private static String sequenceOf(DynamodbEvent batch, String pk) {
        return batch.getRecords().stream()
                .filter(r -> pk.equals(r.getDynamodb().getKeys().get("pk").getS()))
                .findFirst()
                .orElseThrow()
                .getDynamodb()
                .getSequenceNumber();
    }

    private static Map<String, List<String>> perRecipient(List<Sent> sent) {
        return sent.stream()
                .collect(Collectors.groupingBy(
                        Sent::recipient, Collectors.mapping(Sent::messageId, Collectors.toList())));
    }

    private long metric(int line, String name) throws Exception {
        JsonNode json = JSON.readTree(metricLines.get(line));
        return json.get(name).asLong();
    }

    /** The flush messages, waiting out moto's real delivery delay (at most a few seconds). */
    private List<Message> receiveFlushes(int expected) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < 5 && out.size() < expected; i++) {
            out.addAll(sqs.receiveMessage(
                            b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(2))
                    .messages());
        }
        return out;
    }

    private static SQSEvent sqsEvent(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setEventSource("aws:sqs");
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
