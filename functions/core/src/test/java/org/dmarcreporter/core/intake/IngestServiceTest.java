package org.dmarcreporter.core.intake;

import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.InMemoryResultStore;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;

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
        Map<String, String> values = new HashMap<>(Map.of("orgName", "reporter.example",
                "contactEmail", "dmarc@reporter.example"));
        values.putAll(extraSettings);
        ReportingSettings settings = SettingsReader.read(values::get);
        return new IngestService(new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)), store, settings,
                Clock.fixed(NOW, ZoneOffset.UTC));
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
        assertThat(store.windows()).containsEntry(
                new ReportingWindow("example.com", Instant.parse("2026-11-27T00:00:00Z").getEpochSecond()),
                "v=DMARC1; p=reject; rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=1");
    }

    @Test
    void answersABatchInRequestOrder() throws Exception {
        String body = "[" + result("a", "x@example.com", "fail") + "," + result("b", "y@example.org", "pass")
                + "," + result("c", "z@unknown.example", "pass") + "]";
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
        assertThat(JSON.readTree(badJson.body()).path("errors").get(0).path("field").asText()).isEqualTo("body");

        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 501; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"sourceIp\":\"192.0.2.1\",\"headerFrom\":\"a@example.com\"}");
        }
        ApiResponse tooMany = post(service, batch.append("]").toString(), null);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.bodyText()).contains("at most 500");

        byte[] huge = new byte[IngestLimits.MAX_BODY_BYTES + 1];
        assertThat(service.handle(new ApiRequest(huge, "application/json", null)).status()).isEqualTo(413);
        assertThat(service.handle(new ApiRequest("{}".getBytes(StandardCharsets.UTF_8), "text/plain", null))
                .status()).isEqualTo(415);
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
    void refusesTrailingJsonInsteadOfStoringPartOfIt() {
        IngestService service = service(Map.of());
        for (String body : new String[] {result("t1", "x@example.com", "pass") + result("t2", "x@example.com", "pass"),
                "[" + result("t3", "x@example.com", "pass") + "]]", result("t4", "x@example.com", "pass") + " trailing"}) {
            assertThat(post(service, body, null).status()).isEqualTo(400);
        }
        assertThat(store.batches()).isZero();
    }

    @Test
    void acceptsAnyIdempotencyKeyWithoutControlCharacters() {
        assertThat(post(service(Map.of()), result("k2", "x@example.com", "pass"), "batch 42 / mx1").status())
                .isEqualTo(200);
        assertThat(post(service(Map.of()), result("k3", "x@example.com", "pass"), "bad\u0001key").status())
                .isEqualTo(400);
    }

    @Test
    void aSendNowCutStartsTheWindowResultsAreCountedIn() {
        long cut = NOW.getEpochSecond() - 600;
        store.cut("example.com", cut);

        post(service(Map.of()), result("c1", "x@example.com", "pass"), null);
        post(service(Map.of()), result("c2", "x@example.org", "pass"), null);

        assertThat(store.windows().keySet()).containsExactlyInAnyOrder(
                new ReportingWindow("example.com", cut),
                new ReportingWindow("example.org", Instant.parse("2026-11-27T00:00:00Z").getEpochSecond()));
    }

    @Test
    void answers409WhileTheSameKeyIsBeingStoredAnd503WhenTheStoreIsUnavailable() throws Exception {
        ReportingSettings settings = SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example"));
        DmarcEvaluator evaluator = new DmarcEvaluator(ZoneFileResolver.fromText(ZONE));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        IngestService busy = new IngestService(evaluator, new StubStore(new IngestOutcome.InProgress(), false),
                settings, clock);
        IngestService down = new IngestService(evaluator, new StubStore(null, false), settings, clock);
        IngestService cutsDown = new IngestService(evaluator, new StubStore(null, true), settings, clock);

        assertThat(post(busy, result("b", "x@example.com", "pass"), "key-1").status()).isEqualTo(409);
        ApiResponse unavailable = post(down, result("d", "x@example.com", "pass"), null);
        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(JSON.readTree(unavailable.body()).path("detail").asText()).contains("Idempotency-Key");
        assertThat(post(cutsDown, result("e", "x@example.com", "pass"), "key-2").status()).isEqualTo(503);
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
        IngestService service = new IngestService(new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)), store,
                settings, stepping);
        String body = "[" + result("s1", "x@example.com", "pass") + "," + result("s2", "x@example.com", "pass")
                + "," + result("s3", "x@example.com", "pass") + "]";

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
