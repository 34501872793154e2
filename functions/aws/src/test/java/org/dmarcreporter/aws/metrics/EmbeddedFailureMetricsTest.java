package org.dmarcreporter.aws.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;
import org.junit.jupiter.api.Test;

class EmbeddedFailureMetricsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final List<String> lines = new ArrayList<>();
    private final EmbeddedFailureMetrics metrics =
            new EmbeddedFailureMetrics(Map.of("Trigger", "stream"), lines::add, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void oneLineHoldsEveryCounterAsAnEmbeddedMetric() throws Exception {
        metrics.add(FailureMetrics.SENT, 2);
        metrics.add(FailureMetrics.SENT, 1);
        metrics.add(FailureMetrics.MERGED, 4);

        metrics.emit();

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotContain("\n");
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
        assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        assertThat(directive.get("Namespace").asText()).isEqualTo("DmarcReporter/FailureReports");
        assertThat(directive.at("/Dimensions/0/0").asText()).isEqualTo("Trigger");
        assertThat(line.get("Trigger").asText()).isEqualTo("stream");
        List<String> names = new ArrayList<>();
        directive.get("Metrics").forEach(m -> {
            names.add(m.get("Name").asText());
            assertThat(m.get("Unit").asText()).isEqualTo("Count");
        });
        assertThat(names)
                .containsExactly("sent", "merged", "rateLimited", "alreadySent", "failed", "skipped", "retried");
        assertThat(line.get("sent").asLong()).isEqualTo(3);
        assertThat(line.get("merged").asLong()).isEqualTo(4);
        assertThat(line.get("failed").asLong()).isZero();
    }

    @Test
    void emittingResetsTheCountsAndUnknownCountersAreKept() throws Exception {
        metrics.add(FailureMetrics.SENT, 1);
        metrics.add("somethingNew", 2);
        metrics.add(FailureMetrics.FAILED, 0);
        metrics.add(FailureMetrics.FAILED, -3);
        metrics.emit();
        metrics.emit();

        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertThat(first.get("somethingNew").asLong()).isEqualTo(2);
        assertThat(first.get("failed").asLong()).isZero();
        assertThat(second.get("sent").asLong()).isZero();
        assertThat(second.get("somethingNew").asLong()).isZero();
    }

    @Test
    void countsFromManyThreadsAddUp() throws Exception {
        IntStream.range(0, 1000).parallel().forEach(i -> metrics.add(FailureMetrics.SKIPPED, 1));
        metrics.emit();
        assertThat(new ObjectMapper().readTree(lines.get(0)).get("skipped").asLong())
                .isEqualTo(1000);
    }

    @Test
    void aFailingLogNeverFailsTheCaller() {
        EmbeddedFailureMetrics broken = new EmbeddedFailureMetrics(
                Map.of(),
                line -> {
                    throw new IllegalStateException("closed");
                },
                Clock.systemUTC());
        broken.add(FailureMetrics.SENT, 1);
        assertThat(broken.emit()).contains("\"sent\":1");
    }
}
