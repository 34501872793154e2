package org.dmarcreporter.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** The handler sends the headers of the service's answer, no more and no fewer (no AWS needed). */
class IngestHandlerHeadersTest {

    private static final String RESULT = """
            {"messageId": "<m1@example.com>", "sourceIp": "192.0.2.10", "headerFrom": "alice@example.com",
             "envelopeFrom": "bounce@example.com", "envelopeTo": ["bob@example.org"],
             "spf": {"result": "pass", "domain": "example.com"},
             "dkim": [{"result": "pass", "domain": "example.com", "selector": "s1"}]}
            """;

    /** A store whose backend is down: IngestService answers 503. */
    private static final ResultStore UNAVAILABLE = new ResultStore() {
        @Override
        public long latestCut(String policyDomain) {
            return 0;
        }

        @Override
        public IngestOutcome ingest(IngestBatch batch) {
            throw new StoreUnavailableException("throttled");
        }
    };

    private static IngestService service() {
        return new IngestService(
                new DmarcEvaluator(
                        ZoneFileResolver.fromText("$ORIGIN example.com.\n_dmarc TXT \"v=DMARC1; p=reject\"\n")),
                UNAVAILABLE,
                SettingsReader.read(key -> switch (key) {
                    case "orgName" -> "example.org";
                    case "contactEmail" -> "a@example.org";
                    default -> null;
                }),
                Clock.systemUTC());
    }

    @Test
    void everyHeaderOfTheAnswerIsSentWithItsContentType() {
        ApiResponse answer = new ApiResponse(
                503,
                "application/problem+json",
                "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("Retry-After", "7", "X-Trace", "t-1"));

        assertThat(IngestHandler.headers(answer))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("Content-Type", "application/problem+json", "Retry-After", "7", "X-Trace", "t-1"));
    }

    @Test
    void theRealServicesAnswerWhenTheStoreIsDownArrivesWithExactlyItsHeaders() {
        IngestService service = service();
        ApiResponse direct =
                service.handle(new ApiRequest(RESULT.getBytes(StandardCharsets.UTF_8), "application/json", null));

        APIGatewayV2HTTPResponse response = new IngestHandler(service)
                .handleRequest(HttpApiEvents.post(RESULT).build(), null);

        // The edge adds no header of its own (Retry-After comes from IngestService, not a 503 rule here).
        Map<String, String> expected = new HashMap<>(direct.headers());
        expected.put("Content-Type", "application/problem+json");
        assertThat(direct.status()).isEqualTo(503);
        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(response.getHeaders()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(response.getBody()).isEqualTo(direct.bodyText());
    }
}
