package org.dmarcreporter.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.settings.SettingsReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The ingest function end to end: HTTP API events through the handler, DNS from a zone file,
 * storage in moto's DynamoDB ({@code DMARC_AWS_ENDPOINT}, skipped when it is not set).
 */
class IngestHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:15:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTable reports;
    private TestTable candidates;
    private DynamoDbClient db;
    private Map<String, String> env;

    @BeforeEach
    void setUp() {
        db = AwsTestEndpoint.dynamoDb();
        reports = TestTable.builder(db)
                .namePrefix("reports")
                .partitionKey("pk")
                .sortKey("sk")
                .timeToLive("expiresAt")
                .create();
        candidates = TestTable.builder(db).namePrefix("candidates").partitionKey("pk").stream(StreamViewType.NEW_IMAGE)
                .timeToLive("expiresAt")
                .create();
        env = new HashMap<>(Map.of(
                "ORG_NAME", "reporter.example",
                "CONTACT_EMAIL", "dmarc@reporter.example",
                // The template passes unset optional parameters as empty strings.
                "COPY_REPORTS_TO", "",
                "RETURN_PATH", "",
                "REPORTS_TABLE", reports.name(),
                "FAILURE_CANDIDATES_TABLE", candidates.name()));
    }

    @AfterEach
    void tearDown() {
        if (reports != null) {
            reports.close();
        }
        if (candidates != null) {
            candidates.close();
        }
    }

    private IngestHandler handler() {
        return new IngestHandler(IngestHandler.fromEnvironment(env::get, zone(), db, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    private static ZoneFileResolver zone() {
        try {
            return ZoneFileResolver.fromPaths(List.of(Path.of(
                    IngestHandlerTest.class.getResource("/ingest-test.zone").toURI())));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String result(String messageId, String from, String spf) {
        return """
                {"messageId": "%s", "sourceIp": "192.0.2.10", "headerFrom": "%s",
                 "envelopeFrom": "bounce@example.com", "envelopeTo": ["bob@receiver.example"],
                 "spf": {"result": "%s", "domain": "example.com", "scope": "mfrom"},
                 "dkim": [{"result": "fail", "domain": "example.com", "selector": "s1", "reportRequested": false}],
                 "headers": "From: %s\\r\\nSubject: hello\\r\\n"}
                """.formatted(messageId, from, spf, from);
    }

    private static APIGatewayV2HTTPResponse post(IngestHandler handler, HttpApiEvents event) {
        return handler.handleRequest(event.build(), null);
    }

    private long storedCount() {
        return scan(reports).stream()
                .filter(i -> i.get("pk").s().startsWith("ROW#"))
                .mapToLong(i -> Long.parseLong(i.get("count").n()))
                .sum();
    }

    private List<Map<String, AttributeValue>> scan(TestTable table) {
        return db.scan(b -> b.tableName(table.name()).consistentRead(true)).items();
    }

    @Test
    void oneResultGetsOneVerdictObjectAndIsCounted() throws Exception {
        APIGatewayV2HTTPResponse response =
                post(handler(), HttpApiEvents.post(result("m1@x", "Alice <alice@example.com>", "pass")));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
        assertThat(response.getIsBase64Encoded()).isFalse();
        JsonNode v = JSON.readTree(response.getBody());
        assertThat(v.isObject()).isTrue();
        assertThat(v.path("messageId").asText()).isEqualTo("m1@x");
        assertThat(v.path("policyDomain").asText()).isEqualTo("example.com");
        assertThat(v.path("dmarc").asText()).isEqualTo("pass");
        assertThat(v.path("disposition").asText()).isEqualTo("none");
        assertThat(v.path("spfAligned").asBoolean()).isTrue();
        assertThat(v.path("dkimAligned").asBoolean()).isFalse();
        assertThat(storedCount()).isEqualTo(1);
    }

    @Test
    void aBatchGetsVerdictsInRequestOrder() throws Exception {
        String body = "[" + result("a@x", "x@example.com", "fail") + "," + result("b@x", "y@example.org", "pass") + ","
                + result("c@x", "z@unknown.example", "pass") + "]";

        APIGatewayV2HTTPResponse response = post(handler(), HttpApiEvents.post(body));

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode verdicts = JSON.readTree(response.getBody());
        assertThat(verdicts.isArray()).isTrue();
        assertThat(verdicts).extracting(v -> v.path("messageId").asText()).containsExactly("a@x", "b@x", "c@x");
        assertThat(verdicts).extracting(v -> v.path("dmarc").asText()).containsExactly("fail", "fail", "none");
        assertThat(verdicts.get(0).path("disposition").asText()).isEqualTo("reject");
        assertThat(verdicts.get(2).has("policyDomain")).isFalse();
        assertThat(storedCount()).isEqualTo(2); // the domain without a record is not stored
        // example.com asks for failure reports (fo=1): one candidate for the failing message.
        assertThat(scan(candidates))
                .hasSize(1)
                .allSatisfy(c -> assertThat(c.get("policyDomain").s()).isEqualTo("example.com"));
    }

    @Test
    void aRepeatedMessageIdIsCountedOnce() {
        IngestHandler handler = handler();
        String twice =
                "[" + result("dup@x", "a@example.com", "pass") + "," + result("dup@x", "a@example.com", "pass") + "]";

        assertThat(post(handler, HttpApiEvents.post(twice)).getStatusCode()).isEqualTo(200);
        APIGatewayV2HTTPResponse again = post(handler, HttpApiEvents.post(result("dup@x", "a@example.com", "pass")));

        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(again.getBody()).contains("\"dmarc\":\"pass\""); // answered again, counted once
        assertThat(storedCount()).isEqualTo(1);
    }

    @Test
    void withDedupeMessageIdsOffARepeatedMessageIdIsCountedEachTime() {
        env.put("DEDUPE_MESSAGE_IDS", "false");
        IngestHandler handler = handler();

        post(handler, HttpApiEvents.post(result("dup@x", "a@example.com", "pass")));
        post(handler, HttpApiEvents.post(result("dup@x", "a@example.com", "pass")));

        assertThat(storedCount()).isEqualTo(2);
    }

    @Test
    void aRetriedIdempotencyKeyGetsTheSameAnswerAndStoresNothingMore() {
        IngestHandler handler = handler();
        String body = "[" + result(null, "a@example.com", "fail").replace("\"messageId\": \"null\",", "") + ","
                + result("k2@x", "b@example.com", "pass") + "]";

        APIGatewayV2HTTPResponse first = post(handler, HttpApiEvents.post(body).header("idempotency-key", "batch-42"));
        List<Map<String, AttributeValue>> reportsAfterFirst = scan(reports);
        List<Map<String, AttributeValue>> candidatesAfterFirst = scan(candidates);
        // A client library that keeps the header's original case.
        APIGatewayV2HTTPResponse retry = post(handler, HttpApiEvents.post(body).header("Idempotency-Key", "batch-42"));

        assertThat(first.getStatusCode()).isEqualTo(200);
        assertThat(retry.getStatusCode()).isEqualTo(200);
        assertThat(retry.getBody()).isEqualTo(first.getBody());
        assertThat(scan(reports)).containsExactlyInAnyOrderElementsOf(reportsAfterFirst);
        assertThat(scan(candidates)).containsExactlyInAnyOrderElementsOf(candidatesAfterFirst);
        assertThat(storedCount()).isEqualTo(2);
    }

    @Test
    void aBase64EncodedBodyIsDecoded() throws Exception {
        APIGatewayV2HTTPResponse response = post(
                handler(),
                HttpApiEvents.post(result("b64@x", "Ünïcode <u@example.com>", "pass"))
                        .base64());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.getBody()).path("dmarc").asText()).isEqualTo("pass");
        assertThat(storedCount()).isEqualTo(1);
    }

    @Test
    void aBodyMarkedBase64ThatIsNotIsRefused() throws Exception {
        APIGatewayV2HTTPEvent event = HttpApiEvents.post("{not base64!}").build();
        event.setIsBase64Encoded(true);
        APIGatewayV2HTTPResponse response = handler().handleRequest(event, null);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.getBody())
                        .path("errors")
                        .get(0)
                        .path("field")
                        .asText())
                .isEqualTo("body");
        assertThat(storedCount()).isZero();
    }

    @Test
    void theContentTypeHeaderIsReadWhateverItsCase() {
        APIGatewayV2HTTPResponse response = post(
                handler(),
                HttpApiEvents.post(result("ct@x", "a@example.com", "pass"))
                        .withoutHeader("content-type")
                        .header("CONTENT-TYPE", "text/plain"));

        assertThat(response.getStatusCode()).isEqualTo(415);
        assertThat(storedCount()).isZero();
    }

    static Stream<Arguments> badRequests() {
        String good = result("ok@x", "a@example.com", "pass");
        StringBuilder tooMany = new StringBuilder("[");
        for (int i = 0; i < IngestLimits.MAX_BATCH + 1; i++) {
            tooMany.append(i == 0 ? "" : ",").append(good);
        }
        tooMany.append(']');
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String withUnknown = good.replace("{\"messageId\"", "{\"unknown\": 1, \"messageId\"");
        return Stream.of(
                Arguments.of("nested 10,000 deep", deep, "body", null),
                Arguments.of(
                        "nested 10,000 deep in an unknown field",
                        withUnknown.replace("\"unknown\": 1", "\"unknown\": " + deep),
                        "body",
                        null),
                Arguments.of(
                        "5,000-digit number",
                        withUnknown.replace("\"unknown\": 1", "\"unknown\": " + "9".repeat(5_000)),
                        "body",
                        null),
                Arguments.of(
                        "60,000-character key",
                        withUnknown.replace("\"unknown\"", "\"" + "k".repeat(60_000) + "\""),
                        "body",
                        null),
                Arguments.of(
                        "duplicate headerFrom",
                        good.replace(
                                "\"headerFrom\": \"a@example.com\",",
                                "\"headerFrom\": \"a@example.com\", \"headerFrom\": \"b@example.org\","),
                        "headerFrom",
                        null),
                Arguments.of(
                        "duplicate key in a batch",
                        "[" + good + ","
                                + good.replace("\"scope\": \"mfrom\"", "\"scope\": \"mfrom\", \"result\": \"fail\"")
                                + "]",
                        "spf.result",
                        1),
                Arguments.of(
                        "receivedAt in year 9999",
                        good.replace("{\"messageId\"", "{\"receivedAt\": \"9999-12-31T23:59:59Z\", \"messageId\""),
                        "receivedAt",
                        null),
                Arguments.of(
                        "fullwidth IPv6 digits",
                        good.replace("192.0.2.10", "\uff12\uff10\uff10\uff11:db8::1"),
                        "sourceIp",
                        null),
                Arguments.of("bad JSON", "{\"sourceIp\": ", "body", null),
                Arguments.of("missing sourceIp", good.replace("\"sourceIp\": \"192.0.2.10\",", ""), "sourceIp", null),
                Arguments.of("invalid IP", good.replace("192.0.2.10", "192.0.2.300"), "sourceIp", null),
                Arguments.of(
                        "unknown SPF result",
                        good.replace("\"result\": \"pass\"", "\"result\": \"maybe\""),
                        "spf.result",
                        null),
                Arguments.of(
                        "CR/LF in headerFrom",
                        good.replace(
                                "\"headerFrom\": \"a@example.com\"",
                                "\"headerFrom\": \"a@example.com\\r\\nBcc: x@evil.test\""),
                        "headerFrom",
                        null),
                Arguments.of(
                        "bad result in a batch",
                        "[" + good + "," + good + "," + good.replace("192.0.2.10", "not-an-ip") + "]",
                        "sourceIp",
                        2),
                Arguments.of("batch of 501", tooMany.toString(), "body", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputIsRefusedNamingTheFieldAndStoresNothing(String name, String body, String field, Integer index)
            throws Exception {
        IngestHandler handler = handler();
        post(handler, HttpApiEvents.post(result("before@x", "a@example.com", "fail")));
        List<Map<String, AttributeValue>> reportsBefore = scan(reports);
        List<Map<String, AttributeValue>> candidatesBefore = scan(candidates);

        APIGatewayV2HTTPResponse response =
                post(handler, HttpApiEvents.post(body).header("idempotency-key", "bad-1"));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        JsonNode problem = JSON.readTree(response.getBody());
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        JsonNode error = problem.path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo(field);
        if (index == null) {
            assertThat(error.has("index")).isFalse();
        } else {
            assertThat(error.path("index").asInt()).isEqualTo(index);
        }
        assertThat(scan(reports)).containsExactlyInAnyOrderElementsOf(reportsBefore);
        assertThat(scan(candidates)).containsExactlyInAnyOrderElementsOf(candidatesBefore);
    }

    @Test
    void aBodyOverFourMebibytesIsRefusedWith413AndStoresNothing() throws Exception {
        IngestHandler handler = handler();
        String padding = "x".repeat(IngestLimits.MAX_BODY_BYTES);
        String huge = result("huge@x", "a@example.com", "pass")
                .replace("{\"messageId\"", "{\"padding\": \"" + padding + "\", \"messageId\"");

        List<APIGatewayV2HTTPResponse> responses = new ArrayList<>();
        responses.add(post(handler, HttpApiEvents.post(huge)));
        responses.add(post(handler, HttpApiEvents.post(huge).base64()));

        for (APIGatewayV2HTTPResponse response : responses) {
            assertThat(response.getStatusCode()).isEqualTo(413);
            assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
            assertThat(JSON.readTree(response.getBody()).path("status").asInt()).isEqualTo(413);
        }
        assertThat(scan(reports)).isEmpty();
        assertThat(scan(candidates)).isEmpty();
    }

    @Test
    void anUnexpectedFailureAnswers500WithAProblemDocument() throws Exception {
        env.put("REPORTS_TABLE", "no-such-table");

        APIGatewayV2HTTPResponse response = post(handler(), HttpApiEvents.post(result("m@x", "a@example.com", "pass")));

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(JSON.readTree(response.getBody()).path("status").asInt()).isEqualTo(500);
    }

    /** Only a request that sent an Idempotency-Key is told that retrying it is safe. */
    @Test
    void a500PromisesASafeRetryOnlyToARequestWithAnIdempotencyKey() throws Exception {
        env.put("REPORTS_TABLE", "no-such-table");
        IngestHandler handler = handler();

        APIGatewayV2HTTPResponse keyless = post(handler, HttpApiEvents.post(result("m@x", "a@example.com", "pass")));
        APIGatewayV2HTTPResponse keyed = post(
                handler,
                HttpApiEvents.post(result("m@x", "a@example.com", "pass")).header("idempotency-key", "k-500"));

        assertThat(keyless.getStatusCode()).isEqualTo(500);
        assertThat(keyed.getStatusCode()).isEqualTo(500);
        assertThat(JSON.readTree(keyless.getBody()).path("detail").asText())
                .doesNotContain("same Idempotency-Key")
                .contains("may count those results twice");
        assertThat(JSON.readTree(keyed.getBody()).path("detail").asText())
                .contains("retry with the same Idempotency-Key");
    }

    /** The sample events for {@code sam local invoke IngestFunction -e events/...} stay valid. */
    @Test
    void theSampleEventsInTheRepositoryGiveTheAnswersTheyShow() throws Exception {
        IngestHandler handler = handler();
        ObjectMapper events = new ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        Path dir =
                Path.of(System.getProperty("user.dir")).resolve("../../events").normalize();

        APIGatewayV2HTTPResponse one = handler.handleRequest(
                events.readValue(dir.resolve("ingest-one-result.json").toFile(), APIGatewayV2HTTPEvent.class), null);
        APIGatewayV2HTTPResponse batch = handler.handleRequest(
                events.readValue(dir.resolve("ingest-batch.json").toFile(), APIGatewayV2HTTPEvent.class), null);
        APIGatewayV2HTTPResponse bad = handler.handleRequest(
                events.readValue(dir.resolve("ingest-bad-request.json").toFile(), APIGatewayV2HTTPEvent.class), null);

        assertThat(one.getStatusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.getBody()).path("dmarc").asText()).isEqualTo("pass");
        assertThat(batch.getStatusCode()).isEqualTo(200);
        assertThat(JSON.readTree(batch.getBody()))
                .extracting(v -> v.path("dmarc").asText())
                .containsExactly("pass", "fail", "pass");
        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.getBody()).path("errors"))
                .extracting(e -> e.path("index").asInt() + ":" + e.path("field").asText())
                .containsExactlyInAnyOrder("1:sourceIp", "1:spf.result");
        // The same message is in the first two events: counted once (dedupeMessageIds is on).
        assertThat(storedCount()).isEqualTo(3);
    }

    @Test
    void settingsAndTablesComeFromTheEnvironment() {
        env.remove("REPORTS_TABLE");
        assertThatThrownBy(this::handler)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REPORTS_TABLE");

        env.put("REPORTS_TABLE", reports.name());
        env.put("REPORT_FORMAT", "rfc1234");
        assertThatThrownBy(this::handler)
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("reportFormat");

        env.remove("REPORT_FORMAT");
        env.put("IGNORE_RECIPIENTS", "bob@receiver.example");
        post(handler(), HttpApiEvents.post(result("ignored@x", "a@example.com", "pass")));
        assertThat(storedCount()).isZero(); // every recipient is one of our own report mailboxes
    }

    @Test
    void eightThreadsPostingTenThousandResultsForOneDomainThroughTheHandlerGiveExactCounts() throws Exception {
        env.put("DEDUPE_MESSAGE_IDS", "false"); // moto's transactions are slow; the dedupe path has its own test
        IngestHandler handler = handler();
        int threads = 8;
        int batchesPerThread = 5;
        int batchSize = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Integer>>> sent = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            sent.add(pool.submit(() -> {
                start.await();
                List<Integer> statuses = new ArrayList<>();
                for (int b = 0; b < batchesPerThread; b++) {
                    StringBuilder batch = new StringBuilder("[");
                    for (int i = 0; i < batchSize; i++) {
                        int n = (thread * batchesPerThread + b) * batchSize + i;
                        batch.append(i == 0 ? "" : ",")
                                .append(result("m" + n, "a@example.com", "pass")
                                        .replace("192.0.2.10", "192.0.2." + (n % 50)));
                    }
                    statuses.add(
                            post(handler, HttpApiEvents.post(batch.append("]").toString()))
                                    .getStatusCode());
                }
                return statuses;
            }));
        }
        start.countDown();
        for (Future<List<Integer>> f : sent) {
            assertThat(f.get(5, TimeUnit.MINUTES)).containsOnly(200);
        }
        pool.shutdown();

        assertThat(storedCount()).isEqualTo(10_000);
        assertThat(scan(reports).stream().filter(i -> i.get("pk").s().startsWith("ROW#example.com#")))
                .hasSize(50)
                .allSatisfy(i -> assertThat(i.get("count").n()).isEqualTo("200"));
    }
}
