package org.dmarcreporter.core.report.arf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.report.routing.FailureReportPlan;
import org.dmarcreporter.core.report.routing.FailureReportPlannerTest;
import org.dmarcreporter.core.report.routing.PlannedReport;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * parsedmarc (the test venv's, {@code DMARC_TEST_PYTHON}, set by scripts/test) reads every kind
 * of failure report we build as a failure (forensic) report, with the source IP, domains,
 * arrival date and results we wrote. Offline: no DNS or downloads.
 */
class ParsedmarcReadsFailureReportsTest {

    private static final String READ = """
            import json, sys, parsedmarc
            out = []
            for path in sys.argv[1:]:
                report = parsedmarc.parse_report_email(open(path, 'rb').read(), offline=True,
                                                       always_use_local_files=True)
                out.append(report)
            print(json.dumps(out, default=str))
            """;

    @Test
    void parsedmarcReadsEveryVariantBack(@TempDir Path dir) throws Exception {
        String python = System.getenv("DMARC_TEST_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "DMARC_TEST_PYTHON is not set (scripts/test sets it)");

        // Every report the planner makes for a message that matched fo=1:d:s, plus one without headers,
        // one merged and one redacted.
        FailureReportPlan plan = FailureReportPlannerTest.planFor(Candidates.forged());
        List<PlannedReport> planned = new ArrayList<>(plan.reports());
        FailureCandidate bare =
                Candidates.candidate(Candidates.result(null), Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        planned.addAll(FailureReportPlannerTest.planFor(bare).reports().subList(0, 1));
        List<Privacy> privacy = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            privacy.add(Privacy.NONE);
        }
        planned.add(planned.get(0));
        privacy.add(new Privacy(
                LocalPartRedactor.withSecret("parsedmarc test secret".getBytes(StandardCharsets.UTF_8)),
                Privacy.HeaderScope.ESSENTIAL));
        for (int i = 0; i < planned.size(); i++) {
            PlannedReport p = planned.get(i);
            FeedbackReport report = i == 1 ? p.report().withIncidents(7) : p.report();
            Path eml = dir.resolve("report" + i + ".eml");
            Files.write(
                    eml,
                    ArfMessage.compose(report, Candidates.sender(), p.recipient(), privacy.get(i), ArfMessageTest.DATE)
                            .message());
            files.add(eml);
        }
        assertThat(planned).hasSize(11);

        List<String> command = new ArrayList<>(List.of(python, "-c", READ));
        files.forEach(f -> command.add(f.toString()));
        Process proc = new ProcessBuilder(command)
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue())
                .as(Files.readString(dir.resolve("stderr.txt")))
                .isZero();

        JsonNode parsed = new ObjectMapper().readTree(out);
        assertThat(parsed.size()).isEqualTo(planned.size());
        for (int i = 0; i < planned.size(); i++) {
            FeedbackReport ours = planned.get(i).report();
            JsonNode entry = parsed.get(i);
            assertThat(entry.path("report_type").asText()).as("report %d", i).isEqualTo("failure");
            JsonNode r = entry.path("report");
            assertThat(r.path("source").path("ip_address").asText()).isEqualTo("192.0.2.7");
            assertThat(r.path("arrival_date_utc").asText()).isEqualTo("2026-12-01 10:15:30");
            assertThat(r.path("reported_domain").asText()).isEqualTo(ours.reportedDomain());
            assertThat(r.path("feedback_type").asText()).isEqualTo("auth-failure");
            assertThat(r.path("version").asText()).isEqualTo("1");
            assertThat(r.path("source_port").asText()).isEqualTo("54321");
            assertThat(r.path("auth_failure").get(0).asText())
                    .isEqualTo(ours.authFailure().token());
            assertThat(r.path("authentication_results").asText())
                    .contains("dmarc=fail header.from=example.com", "spf=fail smtp.mailfrom=example.com");
            assertThat(r.path("sample_headers_only").asBoolean()).isTrue();
            assertThat(r.path("parsed_sample").path("from").path("domain").asText())
                    .isEqualTo("example.com");
            if (ours.identityAlignment() != null) {
                assertThat(r.path("authentication_mechanisms"))
                        .extracting(JsonNode::asText)
                        .containsExactly("dkim", "spf");
            }
            if (ours.dkim() != null) {
                assertThat(r.path("dkim_domain").asText()).isEqualTo(ours.dkim().domain());
            }
        }
        JsonNode first = parsed.get(0).path("report");
        assertThat(first.path("original_mail_from").asText()).isEqualTo("<bounce@example.com>");
        assertThat(first.path("parsed_sample").path("subject").asText()).isEqualTo("Your account");
        assertThat(parsed.get(1).path("report").path("incidents").asText()).isEqualTo("7");
        JsonNode redacted = parsed.get(planned.size() - 1).path("report");
        assertThat(redacted.path("original_mail_from").asText())
                .doesNotContain("bounce@")
                .endsWith("@example.com>");
        assertThat(redacted.path("sample").asText()).doesNotContain("alice@", "news@", "To:");
    }
}
