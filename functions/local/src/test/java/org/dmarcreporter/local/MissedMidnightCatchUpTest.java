package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dmarcreporter.local.CommandLine.Serve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule of {@code serve}, in-process with a clock the test moves: two days collected while no
 * run could send (no transport), then a start with an outbox catches both missed midnights up, each
 * window with its own date range.
 */
class MissedMidnightCatchUpTest {

    private static final Instant DAY1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant DAY3 = Instant.parse("2026-03-03T10:00:00Z");

    @TempDir
    Path dir;

    private Serve options(Path outbox) {
        return new Serve(
                0,
                dir.resolve("data"),
                outbox,
                null,
                List.of(Processes.EVENTS.resolve("local-zone.zone")),
                Processes.EVENTS.resolve("local-config.yaml"));
    }

    private static HttpResponse<String> post(LocalRuntime runtime, String path, String body) throws Exception {
        return Processes.CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(LocalRuntime runtime, String path) throws Exception {
        HttpResponse<String> r = Processes.CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Processes.JSON.readTree(r.body());
    }

    private static String samples(String day) throws Exception {
        return Files.readString(Processes.EVENTS.resolve("local-results.json"))
                .replace("\"messageId\": \"<", "\"messageId\": \"<" + day + "-");
    }

    private static List<Path> emls(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".eml")
                            // aggregate reports only: the failure reports (<hash>.ruf@...) go out too
                            && !f.getFileName().toString().contains(".ruf@"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void aStartAfterTwoMissedMidnightsReportsBothWindowsEachWithItsOwnDateRange() throws Exception {
        MutableClock clock = new MutableClock(DAY1);
        LocalRuntime collecting = LocalRuntime.start(options(null), clock, Map.of()); // no transport: no runs
        try {
            assertThat(post(collecting, "/v1/results", samples("d1")).statusCode())
                    .isEqualTo(200);
            clock.set(DAY2);
            assertThat(post(collecting, "/v1/results", samples("d2")).statusCode())
                    .isEqualTo(200);
            JsonNode listing = get(collecting, "/v1/reports?since=0");
            List<String> states = new ArrayList<>();
            listing.get("windows")
                    .forEach(w -> states.add(w.get("domain").asText() + " "
                            + w.get("windowStart").asLong() + " "
                            + w.get("state").asText()
                            + (w.has("collecting") ? w.get("collecting").asBoolean() ? " collecting" : " ended" : "")));
            // Newest first: day 2 is still collecting, day 1 ended and waits (no mail transport).
            assertThat(states)
                    .contains(
                            "example.com " + DAY2.minus(Duration.ofHours(10)).getEpochSecond() + " pending collecting",
                            "example.com " + DAY1.minus(Duration.ofHours(10)).getEpochSecond() + " pending ended");
            assertThat(listing.get("windows")).hasSize(8);
        } finally {
            collecting.stop();
        }

        clock.set(DAY3);
        Path outbox = dir.resolve("outbox");
        LocalRuntime sending = LocalRuntime.start(options(outbox), clock, Map.of());
        try {
            // The start-up run is asynchronous: wait for its 8 messages (2 windows x 4 domains).
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (emls(outbox).size() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<Path> files = emls(outbox);
            assertThat(files).hasSize(8);
            List<String> ranges = new ArrayList<>();
            for (Path f : files) {
                if (f.getFileName().toString().contains("-example.com@")) {
                    ReportMail mail = ReportMail.read(f);
                    ranges.add(mail.begin() + "-" + mail.end() + ":" + mail.messages());
                }
            }
            long d1 = DAY1.minus(Duration.ofHours(10)).getEpochSecond();
            long d2 = DAY2.minus(Duration.ofHours(10)).getEpochSecond();
            assertThat(ranges).containsExactlyInAnyOrder(d1 + "-" + (d2 - 1) + ":3", d2 + "-" + (d2 + 86_399) + ":3");

            // The last file is written before its run records the delivery and marks the window:
            // wait for the run to finish with it (the listing then has no pending window).
            JsonNode listing = get(sending, "/v1/reports?since=0&limit=20");
            while (listing.toString().contains("\"state\":\"pending\"") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                listing = get(sending, "/v1/reports?since=0&limit=20");
            }
            for (JsonNode w : listing.get("windows")) {
                assertThat(w.get("state").asText()).as(w.toString()).isEqualTo("sent");
                assertThat(w.get("reportId").asText())
                        .isEqualTo(w.get("windowStart").asLong() + "-"
                                + w.get("domain").asText() + "@reporter.example.org");
            }

            // Bad send-now bodies are refused naming the field; nothing runs.
            HttpResponse<String> typo = post(sending, "/v1/reports/send-now", "{\"domian\": \"example.com\"}");
            assertThat(typo.statusCode()).isEqualTo(400);
            assertThat(typo.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(Processes.JSON
                            .readTree(typo.body())
                            .at("/errors/0/field")
                            .asText())
                    .isEqualTo("domian");
            HttpResponse<String> dry = post(sending, "/v1/reports/send-now", "{\"dryRun\": 5}");
            assertThat(dry.statusCode()).isEqualTo(400);
            assertThat(Processes.JSON.readTree(dry.body()).at("/errors/0/field").asText())
                    .isEqualTo("dryRun");
            HttpResponse<String> notJson = post(sending, "/v1/reports/send-now", "[1]");
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(Processes.JSON
                            .readTree(notJson.body())
                            .at("/errors/0/field")
                            .asText())
                    .isEqualTo("body");
            HttpResponse<String> get = Processes.CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sending.port() + "/v1/reports/send-now"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        } finally {
            sending.stop();
        }
        assertThat(emls(outbox)).hasSize(8);
    }
}
