package org.dmarcreporter.core.report.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parsedmarc (the test venv's, {@code DMARC_TEST_PYTHON}, set by scripts/test) is what most report
 * readers use: it must read our report email back with exactly the counts, IPs, dispositions,
 * results and date range we wrote. Offline: no DNS or downloads.
 */
class ParsedmarcReadsAggregateReportsTest {

    private static final String READ = """
            import json, sys, parsedmarc
            report = parsedmarc.parse_report_email(open(sys.argv[1], 'rb').read(), offline=True,
                                                   always_use_local_files=True)
            print(json.dumps(report, default=str))
            """;

    @Test
    void parsedmarcReadsBackWhatWeWrote(@TempDir Path dir) throws Exception {
        JsonNode parsed = parsedmarc(dir, AggregateReportMailTest.report());

        assertThat(parsed.path("report_type").asText()).isEqualTo("aggregate");
        JsonNode report = parsed.path("report");
        JsonNode meta = report.path("report_metadata");
        assertThat(meta.path("org_name").asText()).isEqualTo("reporter.example");
        // parsedmarc keeps the part of a report id before "@" (it treats ids like Message-IDs).
        assertThat(meta.path("report_id").asText()).isEqualTo("1764547200-example.com");
        assertThat(meta.path("begin_date").asText()).isEqualTo("2025-12-01 00:00:00");
        assertThat(meta.path("end_date").asText()).isEqualTo("2025-12-01 23:59:59");
        assertThat(report.path("policy_published").path("domain").asText()).isEqualTo("example.com");
        JsonNode records = report.path("records");
        assertThat(records.size()).isEqualTo(2);
        JsonNode first = records.get(0);
        assertThat(first.path("source").path("ip_address").asText()).isEqualTo("192.0.2.1");
        assertThat(first.path("count").asLong()).isEqualTo(41);
        assertThat(first.path("policy_evaluated").path("disposition").asText()).isEqualTo("pass");
        assertThat(first.path("policy_evaluated").path("dkim").asText()).isEqualTo("pass");
        assertThat(first.path("auth_results")
                        .path("dkim")
                        .get(0)
                        .path("selector")
                        .asText())
                .isEqualTo("s1");
        JsonNode second = records.get(1);
        assertThat(second.path("source").path("ip_address").asText()).isEqualTo("2001:db8::7");
        assertThat(second.path("count").asLong()).isEqualTo(2);
        assertThat(second.path("policy_evaluated").path("disposition").asText()).isEqualTo("reject");
        assertThat(second.path("auth_results").path("spf").get(0).path("result").asText())
                .isEqualTo("fail");
        assertThat(second.path("identifiers").path("envelope_from").asText()).isEqualTo("bounce.other.example");
    }

    @Test
    void parsedmarcReadsBackAnRfc7489Report(@TempDir Path dir) throws Exception {
        JsonNode parsed = parsedmarc(dir, rfc7489Report());

        assertThat(parsed.path("report_type").asText()).isEqualTo("aggregate");
        JsonNode report = parsed.path("report");
        JsonNode meta = report.path("report_metadata");
        assertThat(meta.path("org_name").asText()).isEqualTo("reporter.example");
        assertThat(meta.path("report_id").asText()).isEqualTo("1764547200-example.com");
        assertThat(meta.path("begin_date").asText()).isEqualTo("2025-12-01 00:00:00");
        assertThat(meta.path("end_date").asText()).isEqualTo("2025-12-01 23:59:59");
        JsonNode policy = report.path("policy_published");
        assertThat(policy.path("domain").asText()).isEqualTo("example.com");
        assertThat(policy.path("p").asText()).isEqualTo("reject");
        assertThat(policy.path("sp").asText()).isEqualTo("quarantine");
        assertThat(policy.path("pct").asText()).isEqualTo("50");
        JsonNode records = report.path("records");
        assertThat(records.size()).isEqualTo(2);
        JsonNode first = records.get(0);
        assertThat(first.path("source").path("ip_address").asText()).isEqualTo("192.0.2.1");
        assertThat(first.path("count").asLong()).isEqualTo(41);
        // RFC 7489 has no "pass" disposition: a delivered message is "none".
        assertThat(first.path("policy_evaluated").path("disposition").asText()).isEqualTo("none");
        assertThat(first.path("policy_evaluated").path("dkim").asText()).isEqualTo("pass");
        assertThat(first.path("policy_evaluated").path("spf").asText()).isEqualTo("pass");
        JsonNode dkim = first.path("auth_results").path("dkim").get(0);
        assertThat(dkim.path("domain").asText()).isEqualTo("example.com");
        assertThat(dkim.path("selector").asText()).isEqualTo("s1");
        assertThat(dkim.path("result").asText()).isEqualTo("pass");
        JsonNode spf = first.path("auth_results").path("spf").get(0);
        assertThat(spf.path("domain").asText()).isEqualTo("example.com");
        assertThat(spf.path("result").asText()).isEqualTo("pass");
        JsonNode second = records.get(1);
        // The RFC 7489 schema's IPv6 form: all eight groups.
        assertThat(second.path("source").path("ip_address").asText()).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(second.path("count").asLong()).isEqualTo(2);
        assertThat(second.path("policy_evaluated").path("disposition").asText()).isEqualTo("reject");
        assertThat(second.path("policy_evaluated").path("dkim").asText()).isEqualTo("fail");
        assertThat(second.path("policy_evaluated").path("spf").asText()).isEqualTo("fail");
        assertThat(second.path("auth_results").path("dkim")).isEmpty();
        assertThat(second.path("auth_results").path("spf").get(0).path("domain").asText())
                .isEqualTo("bounce.other.example");
        assertThat(second.path("auth_results").path("spf").get(0).path("result").asText())
                .isEqualTo("fail");
        assertThat(second.path("identifiers").path("envelope_from").asText()).isEqualTo("bounce.other.example");
    }

    /** parsedmarc's reading of the report email carrying {@code gzip}. */
    private static JsonNode parsedmarc(Path dir, byte[] gzip) throws Exception {
        String python = System.getenv("DMARC_TEST_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "DMARC_TEST_PYTHON is not set (scripts/test sets it)");
        Path eml = dir.resolve("report.eml");
        Files.write(
                eml,
                AggregateReportMailTest.compose(List.of("dmarc@example.com"), gzip)
                        .message());
        Process p = new ProcessBuilder(python, "-c", READ, eml.toString())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as(Files.readString(dir.resolve("stderr.txt")))
                .isZero();
        return new ObjectMapper().readTree(out);
    }

    /** The rows of {@link AggregateReportMailTest#report()}, in the rfc7489 format, with pct=50. */
    private static byte[] rfc7489Report() {
        return AggregateReportMailTest.report(
                ReportFormat.RFC7489,
                new PublishedPolicy(
                        "example.com",
                        Policy.REJECT,
                        Policy.QUARANTINE,
                        Policy.QUARANTINE,
                        AlignmentMode.RELAXED,
                        AlignmentMode.RELAXED,
                        "0",
                        false,
                        50));
    }
}
