package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dmarcreporter.local.ReportMail.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code send-now} end to end, as processes: {@code serve} fed over HTTP, then the command (asking the
 * running serve, or on its own), then the outbox read back byte for byte and by parsedmarc.
 */
class SendNowProcessTest {

    @TempDir
    Path dir;

    private Processes processes;
    private Path data;
    private Path outbox;

    @BeforeEach
    void start() {
        processes = new Processes(dir);
        data = dir.resolve("data");
        outbox = dir.resolve("outbox");
    }

    @AfterEach
    void stop() throws InterruptedException {
        processes.close();
    }

    private String[] withSamples(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--data-dir",
                data.toString(),
                "--zone-file",
                Processes.EVENTS.resolve("local-zone.zone").toString(),
                "--config",
                Processes.EVENTS.resolve("local-config.yaml").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] sendNow(String... args) {
        List<String> all = new ArrayList<>(List.of("send-now"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static List<Path> emls(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml")
                            // aggregate reports only: the failure reports (<hash>.ruf@...) go out too
                            && !f.getFileName().toString().contains(".ruf@"))
                    .sorted()
                    .toList();
        }
    }

    /** Every message in {@code folder}: aggregate and failure reports alike. */
    private static List<Path> allEmls(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml"))
                    .sorted()
                    .toList();
        }
    }

    /** parsedmarc's date text for epoch seconds (UTC). */
    private static String utc(long epochSecond) {
        return LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    }

    /** One line per record of a report parsedmarc read. */
    private static List<String> parsedRows(JsonNode report) {
        List<String> rows = new ArrayList<>();
        for (JsonNode r : report.get("records")) {
            StringBuilder b = new StringBuilder()
                    .append(r.at("/source/ip_address").asText())
                    .append(' ')
                    .append(r.get("count").asLong())
                    .append(' ')
                    .append(r.at("/policy_evaluated/disposition").asText())
                    .append(" dkim=")
                    .append(r.at("/policy_evaluated/dkim").asText())
                    .append(" spf=")
                    .append(r.at("/policy_evaluated/spf").asText())
                    .append(" from=")
                    .append(r.at("/identifiers/header_from").asText());
            for (JsonNode d : r.at("/auth_results/dkim")) {
                b.append(" dkim:")
                        .append(d.get("domain").asText())
                        .append('/')
                        .append(d.get("selector").asText())
                        .append('/')
                        .append(d.get("result").asText());
            }
            for (JsonNode f : r.at("/auth_results/spf")) {
                b.append(" spf:")
                        .append(f.get("domain").asText())
                        .append('/')
                        .append(f.get("result").asText());
            }
            rows.add(b.toString());
        }
        return rows;
    }

    private static Path only(List<Path> files, String contains) {
        List<Path> found = files.stream()
                .filter(f -> f.getFileName().toString().contains(contains))
                .toList();
        assertThat(found).as("files with %s in %s", contains, files).hasSize(1);
        return found.get(0);
    }

    private static Map<String, JsonNode> byDomain(JsonNode summary) {
        Map<String, JsonNode> out = new HashMap<>();
        summary.get("reports").forEach(r -> out.put(r.get("domain").asText(), r));
        return out;
    }

    private void postSamples(Processes.Serve serve) throws Exception {
        HttpResponse<String> r =
                serve.post("/v1/results", Files.readString(Processes.EVENTS.resolve("local-results.json")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void sendNowAsksTheRunningServeAndTheOutboxHoldsExactlyTheIngestedResults() throws Exception {
        Processes.Serve serve = processes.serve(withSamples("--outbox", outbox.toString()));
        assertThat(data.resolve("serve.json")).exists();
        postSamples(serve);

        Processes.Finished done = processes.run(sendNow("--data-dir", data.toString(), "--outbox", outbox.toString()));

        assertThat(done.exit()).as(done.stderr()).isZero();
        JsonNode summary = done.json();
        assertThat(summary.get("trigger").asText()).isEqualTo("send-now");
        assertThat(summary.at("/totals/sent").asInt()).isEqualTo(4);
        assertThat(summary.at("/totals/failed").asInt()).isZero();
        Map<String, JsonNode> reports = byDomain(summary);
        assertThat(reports).containsOnlyKeys("example.com", "marketing.example.com", "example.net", "example.org");
        JsonNode exampleCom = reports.get("example.com");
        assertThat(exampleCom.get("status").asText()).isEqualTo("reported");
        assertThat(exampleCom.get("messages").asLong()).isEqualTo(3);
        assertThat(exampleCom.at("/recipients/0/recipient").asText()).isEqualTo("dmarc-agg@example.com");
        assertThat(exampleCom.at("/recipients/0/status").asText()).isEqualTo("sent");

        List<Path> files = emls(outbox);
        assertThat(files).hasSize(4);
        Path eml = only(files, "-example.com@reporter.example.org_");
        ReportMail mail = ReportMail.read(eml);
        String reportId = exampleCom.get("reportId").asText();
        assertThat(mail.message().getHeader("From", null)).isEqualTo("noreply@reporter.example.org");
        assertThat(mail.message().getHeader("To", null)).isEqualTo("dmarc-agg@example.com");
        assertThat(mail.message().getMessageID()).isEqualTo("<" + reportId + ">");
        assertThat(mail.message().getSubject())
                .isEqualTo("Report Domain: example.com Submitter: reporter.example.org Report-ID: " + reportId);
        long begin = exampleCom.at("/dateRange/begin").asLong();
        long end = exampleCom.at("/dateRange/end").asLong();
        assertThat(mail.attachmentName())
                .isEqualTo("reporter.example.org!example.com!" + begin + "!" + end + ".xml.gz");
        assertThat(mail.text("report_id")).isEqualTo(reportId);
        // RFC 9990 §3.1.1.3: the generator's name and version.
        assertThat(mail.text("generator")).isEqualTo("dmarc-reporter " + Main.version());
        assertThat(mail.begin()).isEqualTo(begin);
        assertThat(mail.end()).isEqualTo(end);
        assertThat(end).isEqualTo(summary.get("cutAt").asLong() - 1);
        assertThat(mail.rows())
                .containsExactlyInAnyOrder(
                        new Row("192.0.2.25", 1, "pass", "example.com"),
                        new Row("203.0.113.66", 1, "reject", "example.com"),
                        new Row("2001:db8::66", 1, "quarantine", "news.example.com"));

        // parsedmarc reads every report email in the outbox (found by listing, not by name) back
        // with what was ingested (events/local-results.json): per row IP, count, disposition,
        // policy_evaluated DKIM and SPF, header_from, and auth_results DKIM domain/selector/result
        // and SPF domain/result; per report the date range.
        Map<String, List<String>> expected = Map.of(
                "example.com",
                List.of(
                        "192.0.2.25 1 pass dkim=pass spf=pass from=example.com"
                                + " dkim:example.com/s2025/pass spf:example.com/pass",
                        "203.0.113.66 1 reject dkim=fail spf=fail from=example.com"
                                + " dkim:example.com/s2025/fail spf:attacker.test/fail",
                        "2001:db8::66 1 quarantine dkim=fail spf=fail from=news.example.com"
                                + " spf:attacker.test/softfail"),
                "marketing.example.com",
                List.of("198.51.100.7 1 none dkim=fail spf=fail from=marketing.example.com"
                        + " dkim:esp.example.net/esp1/pass spf:esp.example.net/pass"),
                "example.net",
                List.of("198.51.100.20 1 none dkim=fail spf=fail from=example.net spf:example.net/fail"),
                // example.org publishes p=none: its DMARC pass asked for no policy, reported none.
                "example.org",
                List.of("192.0.2.3 1 none dkim=pass spf=pass from=example.org"
                        + " dkim:example.org/k1/pass spf:ns1.example.org/pass"));
        Map<String, List<String>> readBack = new HashMap<>();
        List<Path> all = allEmls(outbox);
        for (Path file : all) {
            JsonNode parsed = ReportMail.parsedmarc(file, dir);
            String type = parsed.get("report_type").asText();
            if (type.equals("failure")) {
                continue; // a failure report (ruf): parsedmarc read it, that is all this test asks
            }
            assertThat(type).as(file.toString()).isEqualTo("aggregate");
            JsonNode report = parsed.get("report");
            String domain = report.at("/policy_published/domain").asText();
            JsonNode window = reports.get(domain);
            assertThat(window).as("a summary entry for %s", domain).isNotNull();
            assertThat(report.at("/report_metadata/begin_date").asText())
                    .as(domain)
                    .isEqualTo(utc(window.at("/dateRange/begin").asLong()));
            assertThat(report.at("/report_metadata/end_date").asText())
                    .as(domain)
                    .isEqualTo(utc(window.at("/dateRange/end").asLong()));
            assertThat(readBack.put(domain, parsedRows(report)))
                    .as("one report for %s", domain)
                    .isNull();
        }
        assertThat(readBack.keySet()).isEqualTo(expected.keySet());
        expected.forEach((domain, rows) ->
                assertThat(readBack.get(domain)).as(domain).containsExactlyInAnyOrderElementsOf(rows));

        // The report list shows each window sent, with its report id and recipient.
        JsonNode listing = serve.get("/v1/reports");
        JsonNode listed = null;
        for (JsonNode w : listing.get("windows")) {
            if (w.get("domain").asText().equals("example.com")) {
                listed = w;
            }
        }
        assertThat(listed).as(listing.toString()).isNotNull();
        assertThat(listed.get("state").asText()).isEqualTo("sent");
        assertThat(listed.get("reportId").asText()).isEqualTo(reportId);
        assertThat(listed.at("/recipients/0/status").asText()).isEqualTo("sent");

        // A second send-now finds nothing new: each window is reported once.
        Processes.Finished again = processes.run(sendNow("--data-dir", data.toString()));
        assertThat(again.exit()).as(again.stderr()).isZero();
        assertThat(again.json().get("reports")).isEmpty();
        assertThat(emls(outbox)).hasSize(4);

        assertThat(serve.stop()).isZero();
        assertThat(data.resolve("serve.json")).doesNotExist();
    }

    @Test
    void withAggregateReportsOffNothingIsSentNothingStaysPendingAndNoTransportIsNeeded() throws Exception {
        Path config = dir.resolve("no-aggregate.yaml");
        Files.writeString(
                config,
                Files.readString(Processes.EVENTS.resolve("local-config.yaml"))
                        .replace("sendAggregateReports: true", "sendAggregateReports: false"));
        String[] args = {
            "--data-dir",
            data.toString(),
            "--zone-file",
            Processes.EVENTS.resolve("local-zone.zone").toString(),
            "--config",
            config.toString()
        };
        Processes.Serve serve = processes.serve(args); // no mail transport
        postSamples(serve);
        // Only the results with a failure report (example.com's ruf, fo=1) are kept, with their rows.
        JsonNode before = serve.get("/v1/reports");
        assertThat(before.get("windows")).singleElement().satisfies(w -> {
            assertThat(w.get("domain").asText()).isEqualTo("example.com");
            assertThat(w.get("state").asText()).isEqualTo("pending");
        });

        HttpResponse<String> answered = serve.post("/v1/reports/send-now", "{}");

        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        JsonNode summary = Processes.JSON.readTree(answered.body());
        assertThat(summary.at("/totals/sent").asInt()).isZero();
        assertThat(summary.get("reports"))
                .singleElement()
                .satisfies(r -> assertThat(r.get("status").asText()).isEqualTo("not-sent"));
        JsonNode after = serve.get("/v1/reports");
        assertThat(after.get("windows")).singleElement().satisfies(w -> {
            assertThat(w.get("state").asText()).isEqualTo("failed");
            assertThat(w.get("givenUp").asBoolean()).isTrue();
            assertThat(w.get("reason").asText()).isEqualTo("not-sent: sendAggregateReports is false");
        });
        assertThat(serve.stop()).isZero();

        Processes.Finished command = processes.run(sendNow(args)); // no serve, no transport either
        assertThat(command.exit()).as(command.stderr()).isZero();
        assertThat(command.json().at("/totals/windows").asInt()).isZero();
    }

    @Test
    void withoutAServeTheCommandOpensTheStoreItself() throws Exception {
        Processes.Serve serve = processes.serve(withSamples()); // no mail transport: reports stay pending
        postSamples(serve);
        JsonNode pending = serve.get("/v1/reports");
        assertThat(pending.get("mail").asText()).isEqualTo("none");
        assertThat(pending.get("windows")).hasSize(4);
        pending.get("windows").forEach(w -> {
            assertThat(w.get("state").asText()).isEqualTo("pending");
            assertThat(w.get("collecting").asBoolean()).isTrue();
        });
        HttpResponse<String> refused = serve.post("/v1/reports/send-now", "{}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("--outbox");
        assertThat(serve.stop()).isZero();

        Processes.Finished noTransport = processes.run(sendNow(withSamples()));
        assertThat(noTransport.exit()).isEqualTo(2);
        assertThat(noTransport.stderr().strip().lines().toList())
                .containsExactly("dmarc-local: send-now needs --outbox DIR or --smtp HOST:PORT to send the reports"
                        + " (or --dry-run DIR to only write them); no serve is running on " + data);

        Processes.Finished done = processes.run(sendNow(withSamples("--outbox", outbox.toString())));

        assertThat(done.exit()).as(done.stderr()).isZero();
        assertThat(done.json().at("/totals/sent").asInt()).isEqualTo(4);
        List<Path> files = emls(outbox);
        assertThat(files).hasSize(4);
        ReportMail mail = ReportMail.read(only(files, "example.net@"));
        assertThat(mail.message().getHeader("To", null)).isEqualTo("dmarc@example.org");
        assertThat(mail.rows()).containsExactly(new Row("198.51.100.20", 1, "none", "example.net"));
        assertThat(data.resolve("dmarc.lock")).exists();
        assertThat(data.resolve("serve.json")).doesNotExist();
    }

    @Test
    void aDryRunWritesTheMessagesAndMarksNothingSoTheRealRunSendsTheSameReports() throws Exception {
        Processes.Serve serve = processes.serve(withSamples("--outbox", outbox.toString()));
        postSamples(serve);
        Path dry = dir.resolve("dry");

        Processes.Finished dryRun = processes.run(sendNow("--data-dir", data.toString(), "--dry-run", dry.toString()));

        assertThat(dryRun.exit()).as(dryRun.stderr()).isZero();
        JsonNode drySummary = dryRun.json();
        assertThat(drySummary.get("dryRun").asBoolean()).isTrue();
        assertThat(drySummary.at("/totals/sent").asInt()).isZero();
        byDomain(drySummary).values().forEach(r -> {
            assertThat(r.get("status").asText()).isEqualTo("dry-run");
            assertThat(r.at("/recipients/0/status").asText()).isEqualTo("dry-run");
        });
        List<Path> dryFiles = emls(dry);
        assertThat(dryFiles).hasSize(4);
        assertThat(emls(outbox)).isEmpty();
        ReportMail dryMail = ReportMail.read(only(dryFiles, "!example.com!"));
        assertThat(dryMail.messages()).isEqualTo(3);
        // Nothing marked, no cut: the windows are still open and collecting.
        JsonNode listing = serve.get("/v1/reports");
        assertThat(listing.get("windows")).hasSize(4);
        listing.get("windows").forEach(w -> {
            assertThat(w.get("state").asText()).isEqualTo("pending");
            assertThat(w.get("collecting").asBoolean()).isTrue();
        });

        Processes.Finished real = processes.run(sendNow("--data-dir", data.toString()));

        assertThat(real.exit()).as(real.stderr()).isZero();
        Map<String, JsonNode> dryReports = byDomain(drySummary);
        Map<String, JsonNode> realReports = byDomain(real.json());
        assertThat(realReports.keySet()).isEqualTo(dryReports.keySet());
        for (String domain : realReports.keySet()) {
            assertThat(realReports.get(domain).get("reportId").asText())
                    .isEqualTo(dryReports.get(domain).get("reportId").asText());
            assertThat(realReports.get(domain).get("status").asText()).isEqualTo("reported");
        }
        ReportMail sent = ReportMail.read(only(emls(outbox), "-example.com@reporter.example.org_"));
        assertThat(sent.message().getMessageID()).isEqualTo(dryMail.message().getMessageID());
        assertThat(sent.rows()).containsExactlyInAnyOrderElementsOf(dryMail.rows());
        assertThat(serve.stop()).isZero();
    }

    @Test
    void badArgumentsGetOneLineAndExitTwo() throws Exception {
        Processes.Finished badDomain = processes.run("send-now", "--domain", "not a domain");
        assertThat(badDomain.exit()).isEqualTo(2);
        assertThat(badDomain.stderr().lines().findFirst().orElseThrow())
                .isEqualTo("dmarc-local: --domain needs a domain name, not 'not a domain'");
        Processes.Finished both =
                processes.run(sendNow(withSamples("--outbox", outbox.toString(), "--smtp", "127.0.0.1:25")));
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.stderr().strip())
                .isEqualTo("dmarc-local: give --outbox or --smtp, not both: reports go one way");
        assertThat(both.stdout()).isEmpty();
    }
}
