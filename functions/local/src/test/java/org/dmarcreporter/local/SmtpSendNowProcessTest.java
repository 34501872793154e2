package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.local.mail.TestRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --smtp} against the aiosmtpd relay of the test venv: reports go over STARTTLS, and a
 * relay without TLS is refused when the config requires it, which makes {@code send-now} exit 3 and
 * the report list show the failure with its next retry.
 */
class SmtpSendNowProcessTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** The sample config plus the SMTP keys of the local runtime. */
    private Path config(String extra) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(
                config, Files.readString(Processes.EVENTS.resolve("local-config.yaml")) + "\n" + extra + "\n");
        return config;
    }

    private Processes.Serve serve(Processes processes, TestRelay relay, Path config) throws Exception {
        Processes.Serve serve = processes.serve(
                "--data-dir",
                dir.resolve("data").toString(),
                "--zone-file",
                Processes.EVENTS.resolve("local-zone.zone").toString(),
                "--config",
                config.toString(),
                "--smtp",
                "127.0.0.1:" + relay.port);
        assertThat(serve.post("/v1/results", Files.readString(Processes.EVENTS.resolve("local-results.json")))
                        .statusCode())
                .isEqualTo(200);
        return serve;
    }

    /** The first line of serve's log with {@code text}; the relay check runs beside start-up, so it may take a moment. */
    private static String logged(Processes.Serve serve, String text) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (String line : Files.readAllLines(serve.stderr())) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(100);
        }
        return "";
    }

    @Test
    void reportsGoThroughTheRelayOverStartTls() throws Exception {
        TestRelay relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")));
        open.add(relay);
        Processes processes = new Processes(dir);
        open.add(processes);
        Processes.Serve serve = serve(processes, relay, config("smtpRequireTls: true\nsmtpTrustedHosts: 127.0.0.1"));

        Processes.Finished done =
                processes.run("send-now", "--data-dir", dir.resolve("data").toString());

        assertThat(done.exit()).as(done.stderr()).isZero();
        assertThat(done.json().at("/totals/sent").asInt()).isEqualTo(4);
        // serve also sends the failure reports of the forged sample results through the relay.
        List<TestRelay.Received> all = relay.received();
        assertThat(all).allSatisfy(r -> assertThat(r.tls()).isTrue());
        List<TestRelay.Received> received = all.stream()
                .filter(r -> !new String(r.data(), java.nio.charset.StandardCharsets.US_ASCII)
                        .contains("report-type=feedback-report"))
                .toList();
        assertThat(received).hasSize(4);
        List<String> domains = new ArrayList<>();
        for (TestRelay.Received r : received) {
            assertThat(r.tls()).as("session upgraded with STARTTLS").isTrue();
            assertThat(r.mailFrom()).isEqualTo("noreply@reporter.example.org");
            ReportMail mail = ReportMail.read(r.data());
            domains.add(mail.text("domain") + " -> " + String.join(",", r.recipients()) + " " + mail.messages());
        }
        assertThat(domains)
                .containsExactlyInAnyOrder(
                        "example.com -> dmarc-agg@example.com 3",
                        "marketing.example.com -> dmarc-agg@example.com 1",
                        "example.net -> dmarc@example.org 1",
                        "example.org -> dmarc@example.org 1");
        assertThat(serve.stop()).isZero();
    }

    @Test
    void theConfigFilesCredentialsLogInToARelayThatRequiresThem() throws Exception {
        TestRelay relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")), "--auth", "reporter:s3cret");
        open.add(relay);
        Processes processes = new Processes(dir);
        open.add(processes);
        Processes.Serve serve = serve(
                processes, relay, config("smtpTrustedHosts: 127.0.0.1\nsmtpUsername: reporter\nsmtpPassword: s3cret"));

        Processes.Finished done =
                processes.run("send-now", "--data-dir", dir.resolve("data").toString(), "--domain", "example.org");

        assertThat(done.exit()).as(done.stderr()).isZero();
        assertThat(done.json().at("/totals/sent").asInt()).isEqualTo(1);
        assertThat(relay.received()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.tls()).isTrue();
            assertThat(r.authUser()).isEqualTo("reporter");
        });
        assertThat(serve.stop()).isZero();
    }

    @Test
    void aRelayWithoutTlsIsRefusedWhenTlsIsRequiredAndSendNowExitsThree() throws Exception {
        TestRelay relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")), "--no-tls");
        open.add(relay);
        Processes processes = new Processes(dir);
        open.add(processes);
        Processes.Serve serve = serve(processes, relay, config("smtpRequireTls: true"));

        Processes.Finished done =
                processes.run("send-now", "--data-dir", dir.resolve("data").toString(), "--domain", "example.org");

        assertThat(done.exit()).as(done.stderr()).isEqualTo(3);
        JsonNode summary = done.json();
        assertThat(summary.get("domain").asText()).isEqualTo("example.org");
        assertThat(summary.at("/totals/failed").asInt()).isEqualTo(1);
        JsonNode recipient = summary.at("/reports/0/recipients/0");
        assertThat(recipient.get("status").asText()).isEqualTo("failed");
        assertThat(recipient.get("reason").asText()).contains("STARTTLS");
        long nextRetry = recipient.get("nextRetry").asLong();
        assertThat(nextRetry - summary.get("startedAt").asLong()).isEqualTo(15 * 60);
        assertThat(relay.received()).isEmpty();
        assertThat(logged(serve, "reports wait and are tried again"))
                .as("serve's relay check at start")
                .contains("WARN")
                .contains("does not offer STARTTLS and TLS is required")
                .contains("reports wait and are tried again on later runs");

        JsonNode listing = serve.get("/v1/reports");
        List<String> states = new ArrayList<>();
        for (JsonNode w : listing.get("windows")) {
            states.add(w.get("domain").asText() + " " + w.get("state").asText());
            if (w.get("domain").asText().equals("example.org")) {
                assertThat(w.get("nextRetry").asLong()).isEqualTo(nextRetry);
                assertThat(w.get("reason").asText())
                        .startsWith("dmarc@example.org: ")
                        .contains("STARTTLS");
                assertThat(w.get("rows").asLong()).isEqualTo(1);
                assertThat(w.get("messages").asLong()).isEqualTo(1);
                assertThat(w.get("reportId").asText()).endsWith("-example.org@reporter.example.org");
            }
        }
        // Only example.org was cut: the other domains still collect.
        assertThat(states)
                .containsExactlyInAnyOrder(
                        "example.org failed",
                        "example.com pending",
                        "marketing.example.com pending",
                        "example.net pending");
        assertThat(serve.stop()).isZero();
    }
}
