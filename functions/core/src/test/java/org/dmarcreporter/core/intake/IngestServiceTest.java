package org.dmarcreporter.core.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.InMemoryResultStore;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestServiceTest {

    private static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.example.com. TXT "v=DMARC1; p=reject; rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=1"
            _dmarc.example.org. TXT "v=DMARC1; p=none; rua=mailto:agg@example.org"
            _dmarc.psd.example. TXT "v=DMARC1; p=reject; psd=y; ruf=mailto:psd@psd.example"
            """;
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryResultStore store = new InMemoryResultStore();

    private IngestService service(Map<String, String> extraSettings) {
        Map<String, String> values =
                new HashMap<>(Map.of("orgName", "reporter.example", "contactEmail", "dmarc@reporter.example"));
        values.putAll(extraSettings);
        ReportingSettings settings = SettingsReader.read(values::get);
        return new IngestService(
                new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)), store, settings, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private ApiResponse post(IngestService service, String body, String key) {
        return service.handle(new ApiRequest(body.getBytes(StandardCharsets.UTF_8), "application/json", key));
    }

    private static String result(String messageId, String from, String spf) {
        return """
                {"messageId": "%s", "sourceIp": "192.0.2.10", "headerFrom": "%s",
                 "envelopeFrom": "bounce@example.com", "spf": {"result": "%s", "domain": "example.com"},
                 "dkim": [{"result": "fail", "domain": "example.com", "selector": "s1"}], "unknownField": 1}
                """.formatted(messageId, from, spf);
    }

    @Test
    void answersOneResultWithOneVerdictAndCountsIt() throws Exception {
        ApiResponse response = post(service(Map.of()), result("m1", "Alice <alice@example.com>", "pass"), null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("application/json");
        JsonNode v = JSON.readTree(response.body());
        assertThat(v.path("messageId").asText()).isEqualTo("m1");
        assertThat(v.path("policyDomain").asText()).isEqualTo("example.com");
        assertThat(v.path("dmarc").asText()).isEqualTo("pass");
        assertThat(v.path("disposition").asText()).isEqualTo("none");
        assertThat(v.path("spfAligned").asBoolean()).isTrue();
        assertThat(v.path("dkimAligned").asBoolean()).isFalse();
        assertThat(store.totalCount()).isEqualTo(1);
        assertThat(store.windows())
                .containsEntry(
                        new ReportingWindow(
                                "example.com",
                                Instant.parse("2026-11-27T00:00:00Z").getEpochSecond()),
                        "v=DMARC1; p=reject; rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=1");
    }

    @Test
    void answersABatchInRequestOrder() throws Exception {
        String body = "[" + result("a", "x@example.com", "fail") + "," + result("b", "y@example.org", "pass") + ","
                + result("c", "z@unknown.example", "pass") + "]";
        ApiResponse response = post(service(Map.of()), body, null);

        JsonNode verdicts = JSON.readTree(response.body());
        assertThat(verdicts).hasSize(3);
        assertThat(verdicts.get(0).path("messageId").asText()).isEqualTo("a");
        assertThat(verdicts.get(0).path("dmarc").asText()).isEqualTo("fail");
        assertThat(verdicts.get(0).path("disposition").asText()).isEqualTo("reject");
        assertThat(verdicts.get(1).path("policyDomain").asText()).isEqualTo("example.org");
        assertThat(verdicts.get(2).path("dmarc").asText()).isEqualTo("none");
        assertThat(verdicts.get(2).has("policyDomain")).isFalse();
        // No policy applies to unknown.example: no report data (RFC 9989 §4.10.1).
        assertThat(store.totalCount()).isEqualTo(2);
    }

    @Test
    void rejectsBadFieldsNamingEachOneAndItsIndexAndStoresNothing() throws Exception {
        String body = """
                [{"sourceIp": "192.0.2.1", "headerFrom": "a@example.com"},
                 {"sourceIp": "not-an-ip", "headerFrom": "a@example.com\\r\\nBcc: x@evil.example",
                  "spf": {"result": "maybe"}}]
                """;
        ApiResponse response = post(service(Map.of()), body, null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("errors")).hasSize(3);
        assertThat(problem.path("errors").findValuesAsText("field"))
                .containsExactly("sourceIp", "headerFrom", "spf.result");
        assertThat(problem.path("errors").findValuesAsText("pointer"))
                .containsExactly("/1/sourceIp", "/1/headerFrom", "/1/spf/result");
        assertThat(problem.path("errors").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(store.batches()).isZero();
    }

    @Test
    void rejectsInvalidJsonAndOversizedBatchesAndBodies() throws Exception {
        IngestService service = service(Map.of());
        ApiResponse badJson = post(service, "{\"sourceIp\": ", null);
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(JSON.readTree(badJson.body())
                        .path("errors")
                        .get(0)
                        .path("field")
                        .asText())
                .isEqualTo("body");

        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 501; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"sourceIp\":\"192.0.2.1\",\"headerFrom\":\"a@example.com\"}");
        }
        ApiResponse tooMany = post(service, batch.append("]").toString(), null);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.bodyText()).contains("at most 500");

        byte[] huge = new byte[IngestLimits.MAX_BODY_BYTES + 1];
        assertThat(service.handle(new ApiRequest(huge, "application/json", null))
                        .status())
                .isEqualTo(413);
        assertThat(service.handle(new ApiRequest("{}".getBytes(StandardCharsets.UTF_8), "text/plain", null))
                        .status())
                .isEqualTo(415);
        assertThat(store.batches()).isZero();
    }

    @Test
    void aRetriedIdempotencyKeyGetsTheFirstAnswerAndStoresNothingMore() {
        IngestService service = service(Map.of());
        ApiResponse first = post(service, result("k1", "x@example.com", "fail"), "retry-123");
        ApiResponse second = post(service, result("k1", "x@example.com", "fail"), "retry-123");

        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(store.totalCount()).isEqualTo(1);
    }

    @Test
    void rejectsAnIdempotencyKeyLongerThan128Characters() {
        ApiResponse response = post(service(Map.of()), result("k", "x@example.com", "pass"), "k".repeat(129));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.bodyText()).contains("Idempotency-Key");
    }

    @Test
    void mailOnlyToOurOwnReportMailboxesIsAnsweredButNotStored() {
        IngestService service = service(Map.of("ignoreRecipients", "dmarc@reporter.example"));
        String body = """
                {"sourceIp": "192.0.2.1", "headerFrom": "x@example.com",
                 "envelopeTo": ["<DMARC@reporter.example>"]}
                """;
        ApiResponse response = post(service, body, null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).contains("\"dmarc\":\"fail\"");
        assertThat(store.totalCount()).isZero();
    }

    @Test
    void aFailureMatchingFoBecomesACandidateWithItsTriggers() {
        post(service(Map.of()), result("f1", "x@example.com", "fail"), null);

        assertThat(store.candidates()).singleElement().satisfies(c -> {
            assertThat(c.policyDomain()).isEqualTo("example.com");
            assertThat(c.triggers()).containsExactly(FailureTrigger.DMARC_ANY_FAILED);
            assertThat(c.result().messageId()).isEqualTo("f1");
        });
    }

    @Test
    void noCandidateWhenFailureReportsAreSwitchedOffOrTheRecordIsAPsd() {
        post(service(Map.of("sendFailureReports", "false")), result("f2", "x@example.com", "fail"), null);
        post(service(Map.of()), result("f3", "x@sub.psd.example", "fail"), null);

        assertThat(store.totalCount()).isEqualTo(2);
        assertThat(store.candidates()).isEmpty();
    }

    @Test
    void withAggregateReportsSwitchedOffAResultIsStoredOnlyForItsFailureReport() {
        IngestService service = service(Map.of("sendAggregateReports", "false"));
        ApiResponse passed = post(service, result("a1", "x@example.org", "pass"), null); // no ruf
        post(service, result("a2", "x@example.com", "fail"), null);
        post(
                service(Map.of("sendAggregateReports", "false", "sendFailureReports", "false")),
                result("a3", "x@example.com", "fail"),
                null);

        assertThat(passed.status()).isEqualTo(200);
        assertThat(passed.bodyText()).contains("\"policyDomain\":\"example.org\"");
        assertThat(store.candidates())
                .singleElement()
                .satisfies(c -> assertThat(c.result().messageId()).isEqualTo("a2"));
        assertThat(store.totalCount()).isEqualTo(1);
    }

    @Test
    void refusesTrailingJsonInsteadOfStoringPartOfIt() {
        IngestService service = service(Map.of());
        for (String body : new String[] {
            result("t1", "x@example.com", "pass") + result("t2", "x@example.com", "pass"),
            "[" + result("t3", "x@example.com", "pass") + "]]",
            result("t4", "x@example.com", "pass") + " trailing"
        }) {
            assertThat(post(service, body, null).status()).isEqualTo(400);
        }
        assertThat(store.batches()).isZero();
    }

    @Test
    void acceptsAnyIdempotencyKeyWithoutControlCharacters() {
        assertThat(post(service(Map.of()), result("k2", "x@example.com", "pass"), "batch 42 / mx1")
                        .status())
                .isEqualTo(200);
        assertThat(post(service(Map.of()), result("k3", "x@example.com", "pass"), "bad\u0001key")
                        .status())
                .isEqualTo(400);
    }

    @Test
    void aSendNowCutStartsTheWindowResultsAreCountedIn() {
        long cut = NOW.getEpochSecond() - 600;
        store.cut("example.com", cut);

        post(service(Map.of()), result("c1", "x@example.com", "pass"), null);
        post(service(Map.of()), result("c2", "x@example.org", "pass"), null);

        assertThat(store.windows().keySet())
                .containsExactlyInAnyOrder(
                        new ReportingWindow("example.com", cut),
                        new ReportingWindow(
                                "example.org",
                                Instant.parse("2026-11-27T00:00:00Z").getEpochSecond()));
    }

    @Test
    void answers409WhileTheSameKeyIsBeingStoredAnd503WhenTheStoreIsUnavailable() throws Exception {
        ReportingSettings settings = SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example"));
        DmarcEvaluator evaluator = new DmarcEvaluator(ZoneFileResolver.fromText(ZONE));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        IngestService busy =
                new IngestService(evaluator, new StubStore(new IngestOutcome.InProgress(), false), settings, clock);
        IngestService down = new IngestService(evaluator, new StubStore(null, false), settings, clock);
        IngestService cutsDown = new IngestService(evaluator, new StubStore(null, true), settings, clock);

        assertThat(post(busy, result("b", "x@example.com", "pass"), "key-1").status())
                .isEqualTo(409);
        ApiResponse unavailable = post(down, result("d", "x@example.com", "pass"), null);
        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(JSON.readTree(unavailable.body()).path("detail").asText()).contains("Idempotency-Key");
        assertThat(post(cutsDown, result("e", "x@example.com", "pass"), "key-2").status())
                .isEqualTo(503);
    }

    @Test
    void a503CarriesRetryAfterAndPromisesSafeRetriesOnlyToAKeyedRequest() throws Exception {
        ReportingSettings settings = SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example"));
        DmarcEvaluator evaluator = new DmarcEvaluator(ZoneFileResolver.fromText(ZONE));
        IngestService down =
                new IngestService(evaluator, new StubStore(null, false), settings, Clock.fixed(NOW, ZoneOffset.UTC));

        ApiResponse keyless = post(down, result("d", "x@example.com", "pass"), null);
        ApiResponse keyed = post(down, result("d", "x@example.com", "pass"), "key-3");

        for (ApiResponse r : new ApiResponse[] {keyless, keyed}) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.contentType()).isEqualTo("application/problem+json");
            assertThat(r.headers()).containsExactly(Map.entry("Retry-After", "1"));
        }
        String keylessDetail = JSON.readTree(keyless.body()).path("detail").asText();
        assertThat(keylessDetail).doesNotContain("same Idempotency-Key").contains("may count those twice");
        assertThat(JSON.readTree(keyed.body()).path("detail").asText())
                .contains("retry later with the same Idempotency-Key");
    }

    static Stream<Arguments> overParserLimits() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String good = result("lim", "x@example.com", "pass");
        return Stream.of(
                Arguments.of("arrays nested 10,000 deep", deep),
                Arguments.of(
                        "nested 10,000 deep in an unknown field",
                        good.replace("\"unknownField\": 1", "\"unknownField\": " + deep)),
                Arguments.of("objects nested 10,000 deep", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)),
                Arguments.of(
                        "a 5,000-digit number",
                        good.replace("\"unknownField\": 1", "\"unknownField\": " + "7".repeat(5_000))),
                Arguments.of(
                        "a 5,000-digit port",
                        good.replace("\"unknownField\": 1", "\"sourcePort\": 2" + "0".repeat(4_999))),
                Arguments.of(
                        "a 60,000-character key", good.replace("\"unknownField\"", "\"" + "k".repeat(60_000) + "\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overParserLimits")
    void aBodyOverTheParsersLimitsGets400NamingTheBody(String name, String body) throws Exception {
        ApiResponse response = post(service(Map.of()), body, "limits-1");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        JsonNode error = JSON.readTree(response.body()).path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("body");
        assertThat(error.path("detail").asText()).startsWith("exceeds the parser's limits");
        assertThat(store.batches()).isZero();
    }

    /** Random nesting depths, in random places of a valid result: always 200 or a 400 problem, never an exception. */
    @Test
    void anyNestingDepthAnywhereGets200Or400() throws Exception {
        IngestService service = service(Map.of());
        Random random = new Random(61);
        String good = result("deep", "x@example.com", "pass");
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            int depth = random.nextInt(3_000);
            boolean objects = random.nextBoolean();
            String value =
                    objects ? "{\"a\":".repeat(depth) + "0" + "}".repeat(depth) : "[".repeat(depth) + "]".repeat(depth);
            String field = random.nextBoolean() ? "unknownField" : "dkim";
            String body = good.replace("\"" + field + "\": ", "\"" + field + "\": " + value + ", \"was\": ");
            ApiResponse response = post(service, random.nextBoolean() ? "[" + body + "]" : body, null);
            assertThat(response.status()).isIn(200, 400);
            if (response.status() == 400) {
                refused++;
                assertThat(response.contentType()).isEqualTo("application/problem+json");
                assertThat(JSON.readTree(response.body()).path("errors")).isNotEmpty();
            }
        }
        assertThat(refused).isBetween(1, 199);
    }

    @Test
    void aDuplicateKeyIsRefusedNamingTheFieldAndStoresNothing() throws Exception {
        String twice = result("d1", "a@example.com", "fail")
                .replace("\"unknownField\": 1", "\"headerFrom\": \"b@example.org\"");
        String batch = "[" + result("d2", "a@example.com", "pass") + ","
                + result("d3", "a@example.com", "pass")
                        .replace("\"selector\": \"s1\"", "\"selector\": \"s1\", \"domain\": \"example.org\"")
                + "]";

        JsonNode single = JSON.readTree(post(service(Map.of()), twice, null).body());
        JsonNode inBatch = JSON.readTree(post(service(Map.of()), batch, null).body());

        assertThat(single.path("status").asInt()).isEqualTo(400);
        assertThat(single.path("errors").get(0).path("field").asText()).isEqualTo("headerFrom");
        assertThat(single.path("errors").get(0).path("pointer").asText()).isEqualTo("/headerFrom");
        assertThat(single.path("errors").get(0).has("index")).isFalse();
        assertThat(single.path("detail").asText()).isEqualTo("headerFrom appears more than once in its object");
        assertThat(inBatch.path("errors").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(inBatch.path("errors").get(0).path("field").asText()).isEqualTo("dkim[0].domain");
        assertThat(inBatch.path("errors").get(0).path("pointer").asText()).isEqualTo("/1/dkim/0/domain");
        assertThat(store.batches()).isZero();
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyGets422AndStoresNothing() throws Exception {
        IngestService service = service(Map.of());
        String first = result("r1", "x@example.com", "fail");
        post(service, first, "reused-1");
        long counted = store.totalCount();
        int candidates = store.candidates().size();

        ApiResponse sameBody = post(service, first, "reused-1");
        ApiResponse otherBody = post(service, result("r2", "x@example.com", "fail"), "reused-1");
        ApiResponse arrayForObject = post(service, "[" + first + "]", "reused-1");

        assertThat(sameBody.status()).isEqualTo(200);
        for (ApiResponse r : new ApiResponse[] {otherBody, arrayForObject}) {
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.contentType()).isEqualTo("application/problem+json");
            JsonNode problem = JSON.readTree(r.body());
            assertThat(problem.path("status").asInt()).isEqualTo(422);
            assertThat(problem.path("title").asText()).isEqualTo("Idempotency-Key reused");
            assertThat(problem.path("detail").asText()).contains("different body");
        }
        assertThat(store.totalCount()).isEqualTo(counted);
        assertThat(store.candidates()).hasSize(candidates);
        assertThat(store.batches()).isEqualTo(1);
    }

    @Test
    void aKeyedRequestWithNothingToStoreStillBindsItsKey() {
        IngestService service = service(Map.of());
        // No policy for unknown.example: nothing to count, but the key is kept with its answer.
        ApiResponse first = post(service, result("u1", "x@unknown.example", "pass"), "nothing-1");

        assertThat(first.status()).isEqualTo(200);
        assertThat(store.batches()).isEqualTo(1);
        assertThat(post(service, result("u2", "x@example.com", "pass"), "nothing-1")
                        .status())
                .isEqualTo(422);
        assertThat(store.totalCount()).isZero();
    }

    @Test
    void theRequestDigestIsTheSha256OfTheBodyBytesAndOnlyKeyedRequestsHaveOne() throws Exception {
        List<IngestBatch> seen = new ArrayList<>();
        ReportingSettings settings = SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example"));
        IngestService service = new IngestService(
                new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)),
                new org.dmarcreporter.core.store.ResultStore() {
                    @Override
                    public long latestCut(String policyDomain) {
                        return 0;
                    }

                    @Override
                    public IngestOutcome ingest(IngestBatch batch) {
                        seen.add(batch);
                        return new IngestOutcome.Stored(0, 1);
                    }
                },
                settings,
                Clock.fixed(NOW, ZoneOffset.UTC));
        String body = result("dg", "x@example.com", "pass");

        post(service, body, "digest-1");
        post(service, body, null);

        byte[] sha = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
        assertThat(seen)
                .extracting(IngestBatch::requestDigest)
                .containsExactly(
                        "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha), null);
    }

    @Test
    void anIpv4MappedSourceCountsInTheRowOfItsIpv4Address() throws Exception {
        IngestService service = service(Map.of());
        JsonNode mapped = JSON.readTree(
                post(service, result("v1", "x@example.com", "pass").replace("192.0.2.10", "::FFFF:192.0.2.10"), null)
                        .body());
        post(service, result("v2", "x@example.com", "pass"), null);
        post(service, result("v3", "x@example.com", "pass").replace("192.0.2.10", "::ffff:c000:20a"), null);

        assertThat(mapped.path("dmarc").asText()).isEqualTo("pass");
        assertThat(store.totalCount()).isEqualTo(3);
        assertThat(store.distinctRows()).isEqualTo(1);
    }

    @Test
    void aSourceIpWithNonAsciiDigitsIsRefused() throws Exception {
        for (String ip : new String[] {"\uff12\uff10\uff10\uff11:db8::1", "2001:db8::\u0661", "192.0.2.\u0661"}) {
            ApiResponse response = post(
                    service(Map.of()), result("na", "x@example.com", "pass").replace("192.0.2.10", ip), null);
            assertThat(response.status()).isEqualTo(400);
            assertThat(JSON.readTree(response.body())
                            .path("errors")
                            .get(0)
                            .path("field")
                            .asText())
                    .isEqualTo("sourceIp");
        }
        assertThat(store.batches()).isZero();
    }

    @Test
    void aReceivedAtMoreThanADayAheadIsRefusedAndALeapSecondAccepted() throws Exception {
        IngestService service = service(Map.of());
        String tomorrow = result("t1", "x@example.com", "pass")
                .replace("\"unknownField\": 1", "\"receivedAt\": \"2026-11-28T10:00:00Z\"");
        String leap = result("t2", "x@example.com", "pass")
                .replace("\"unknownField\": 1", "\"receivedAt\": \"2016-12-31T23:59:60Z\"");

        assertThat(post(service, tomorrow, null).status()).isEqualTo(200);
        assertThat(post(service, leap, null).status()).isEqualTo(200);
        for (String ahead : new String[] {"2026-11-28T10:00:01Z", "9999-12-31T23:59:59Z"}) {
            ApiResponse response = post(
                    service,
                    "[" + result("t3", "x@example.com", "pass") + ","
                            + result("t4", "x@example.com", "pass")
                                    .replace("\"unknownField\": 1", "\"receivedAt\": \"" + ahead + "\"")
                            + "]",
                    null);
            assertThat(response.status()).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body()).path("errors").get(0);
            assertThat(error.path("field").asText()).isEqualTo("receivedAt");
            assertThat(error.path("index").asInt()).isEqualTo(1);
            assertThat(error.path("pointer").asText()).isEqualTo("/1/receivedAt");
        }
        assertThat(store.totalCount()).isEqualTo(2);
    }

    @Test
    void resultsLeftWhenTheEvaluationBudgetIsSpentAreAnsweredTemperrorAndNotStored() throws Exception {
        // Every reading of this clock is 3/8 of the budget later: the budget runs out at the third result.
        java.time.Duration step = IngestLimits.EVALUATION_BUDGET.multipliedBy(3).dividedBy(8);
        Clock stepping = new Clock() {
            private Instant now = NOW;

            @Override
            public synchronized Instant instant() {
                now = now.plus(step);
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        ReportingSettings settings = SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example"));
        IngestService service =
                new IngestService(new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)), store, settings, stepping);
        String body = "[" + result("s1", "x@example.com", "pass") + "," + result("s2", "x@example.com", "pass") + ","
                + result("s3", "x@example.com", "pass") + "]";

        JsonNode verdicts = JSON.readTree(post(service, body, null).body());

        assertThat(verdicts.findValuesAsText("dmarc")).containsExactly("pass", "pass", "temperror");
        assertThat(store.totalCount()).isEqualTo(2);
    }

    /** A store that answers every batch with one outcome, or is unavailable. */
    private static final class StubStore implements org.dmarcreporter.core.store.ResultStore {
        private final IngestOutcome outcome;
        private final boolean cutsUnavailable;

        StubStore(IngestOutcome outcome, boolean cutsUnavailable) {
            this.outcome = outcome;
            this.cutsUnavailable = cutsUnavailable;
        }

        @Override
        public long latestCut(String policyDomain) {
            if (cutsUnavailable) {
                throw new org.dmarcreporter.core.store.StoreUnavailableException("throttled");
            }
            return 0;
        }

        @Override
        public IngestOutcome ingest(org.dmarcreporter.core.store.IngestBatch batch) {
            if (outcome == null) {
                throw new org.dmarcreporter.core.store.StoreUnavailableException("throttled");
            }
            return outcome;
        }
    }
}
