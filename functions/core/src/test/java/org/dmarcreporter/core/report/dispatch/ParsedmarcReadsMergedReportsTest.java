package org.dmarcreporter.core.report.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.report.delivery.RecordingMailTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parsedmarc ({@code DMARC_TEST_PYTHON}, set by scripts/test) reads what the dispatcher sends for
 * a burst from one source, the report sent at once and the merged one with {@code Incidents}, as
 * failure (forensic) reports with the source IP, domains, arrival date and results. Offline.
 */
class ParsedmarcReadsMergedReportsTest {

    private static final String READ = """
            import json, sys, parsedmarc
            out = []
            for path in sys.argv[1:]:
                out.append(parsedmarc.parse_report_email(open(path, 'rb').read(), offline=True,
                                                         always_use_local_files=True))
            print(json.dumps(out, default=str))
            """;

    @Test
    void theMergedReportIsAFailureReportWithItsIncidents(@TempDir Path dir) throws Exception {
        String python = System.getenv("DMARC_TEST_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "DMARC_TEST_PYTHON is not set (scripts/test sets it)");

        DispatchFixture f = new DispatchFixture(FailureDispatcherTest.DNS, Map.of());
        long t0 = FailureDispatcherTest.T0;
        for (int i = 0; i < 6; i++) {
            f.dispatcher.dispatch(
                    f.candidate(
                            "c" + i,
                            FailureDispatcherTest.Mix.ALL_FAIL.result(
                                    "f0.example", "203.0.113.5", t0 + 60 + i, "<m" + i + "@forger.example>")),
                    t0 + 60 + i);
        }
        f.runFlushes(t0 + 3600);
        List<RecordingMailTransport.Received> got = f.transport.received();
        assertThat(got).hasSize(2);

        List<String> command = new ArrayList<>(List.of(python, "-c", READ));
        for (int i = 0; i < got.size(); i++) {
            Path eml = dir.resolve("r" + i + ".eml");
            Files.write(eml, got.get(i).mail().message());
            command.add(eml.toString());
        }
        Process proc = new ProcessBuilder(command)
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue())
                .as(Files.readString(dir.resolve("stderr.txt")))
                .isZero();

        JsonNode parsed = new ObjectMapper().readTree(out);
        List<String> arrival = List.of("2026-12-01 10:01:00", "2026-12-01 10:01:01");
        for (int i = 0; i < 2; i++) {
            JsonNode entry = parsed.get(i);
            assertThat(entry.path("report_type").asText()).isEqualTo("failure");
            JsonNode r = entry.path("report");
            assertThat(r.path("source").path("ip_address").asText()).isEqualTo("203.0.113.5");
            assertThat(r.path("reported_domain").asText()).isEqualTo("f0.example");
            assertThat(r.path("arrival_date_utc").asText()).isEqualTo(arrival.get(i));
            assertThat(r.path("auth_failure").get(0).asText()).isEqualTo("dmarc");
            assertThat(r.path("authentication_results").asText())
                    .contains("dmarc=fail header.from=f0.example", "spf=fail smtp.mailfrom=f0.example");
            assertThat(r.path("authentication_mechanisms"))
                    .extracting(JsonNode::asText)
                    .containsExactly("dkim", "spf");
            assertThat(r.path("parsed_sample").path("from").path("domain").asText())
                    .isEqualTo("f0.example");
        }
        assertThat(parsed.get(0).path("report").path("incidents").asText()).isIn("", "1", "null");
        assertThat(parsed.get(1).path("report").path("incidents").asText()).isEqualTo("5");
    }
}
