package org.dmarcreporter.core.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.InMemoryResultStore;
import org.junit.jupiter.api.Test;

/**
 * The answer's bytes, as clients get them: field order, left-out fields and escaping are part of
 * the API (expected files captured from the hand-written codec, see {@code answer-json/README.md}).
 */
class IngestAnswerBytesTest {

    private final IngestService service = new IngestService(
            new DmarcEvaluator(ZoneFileResolver.fromText(text("answer-json/ingest-zone.zone"))),
            new InMemoryResultStore(),
            SettingsReader.read(Map.of("orgName", "reporter.example", "contactEmail", "dmarc@reporter.example")),
            Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void aBatchIsAnsweredWithTheSameBytesAsBefore() {
        ApiResponse r = post(text("answer-json/ingest-batch-request.json"), "k1");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(bytes("answer-json/ingest-batch-answer.json"));
    }

    @Test
    void aReplayIsAnsweredWithTheSameBytes() {
        byte[] first = post(text("answer-json/ingest-batch-request.json"), "k1").body();

        assertThat(post(text("answer-json/ingest-batch-request.json"), "k1").body())
                .isEqualTo(first);
    }

    @Test
    void oneResultIsAnsweredWithOneVerdictObject() {
        String batch = text("answer-json/ingest-batch-request.json");
        String one = batch.substring(1, batch.indexOf("\n},") + 2);

        assertThat(post(one, null).body()).isEqualTo(bytes("answer-json/ingest-single-answer.json"));
    }

    private ApiResponse post(String body, String key) {
        return service.handle(new ApiRequest(body.getBytes(StandardCharsets.UTF_8), "application/json", key));
    }

    private static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String name) {
        try (InputStream in = IngestAnswerBytesTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
