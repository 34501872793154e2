package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.local.store.StoreContents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code serve} as its own process, the way users and scripts do, with the sample files of
 * {@code events/}: verdicts over HTTP, data surviving {@code kill -9}, clean SIGTERM.
 */
class LocalRuntimeProcessTest {

    private static final Path EVENTS = Path.of(System.getProperty("dmarc.events.dir", "../../events"));
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A started runtime and the port it printed. */
    private record Runtime(Process process, int port, Path stderr) {
        URI results() {
            return URI.create("http://127.0.0.1:" + port + "/v1/results");
        }
    }

    private Runtime serve(Path dataDir) throws Exception {
        // surefire keeps the real class path there when java.class.path is its booter jar
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path stderr = Files.createTempFile(dir, "stderr-", ".txt");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        classPath,
                        Main.class.getName(),
                        "serve",
                        "--port",
                        "0",
                        "--data-dir",
                        dataDir.toString(),
                        "--zone-file",
                        EVENTS.resolve("local-zone.zone").toString(),
                        "--config",
                        EVENTS.resolve("local-config.yaml").toString())
                .redirectError(stderr.toFile())
                .start();
        started.add(process);
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(60, TimeUnit.SECONDS);
        assertThat(line)
                .as("first stdout line; stderr: %s", Files.readString(stderr))
                .isNotNull();
        Matcher m = LISTENING.matcher(line);
        assertThat(m.matches()).as("'%s' is the listening line", line).isTrue();
        return new Runtime(process, Integer.parseInt(m.group(1)), stderr);
    }

    private static HttpResponse<String> post(Runtime runtime, String body) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(runtime.results())
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String batch(String prefix, int size) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"messageId\":\"")
                    .append(prefix)
                    .append('-')
                    .append(i)
                    .append("\",\"sourceIp\":\"192.0.2.")
                    .append(i % 16 + 1)
                    .append("\",\"envelopeFrom\":\"bounce@example.com\",\"headerFrom\":\"news@example.com\",")
                    .append("\"spf\":{\"result\":\"pass\",\"domain\":\"example.com\"},")
                    .append("\"dkim\":[{\"result\":\"pass\",\"domain\":\"example.com\",\"selector\":\"s1\"}]}");
        }
        return b.append(']').toString();
    }

    private static int stop(Runtime runtime) throws InterruptedException {
        runtime.process().destroy(); // SIGTERM on Linux
        assertThat(runtime.process().waitFor(20, TimeUnit.SECONDS))
                .as("stopped within 20 s")
                .isTrue();
        return runtime.process().exitValue();
    }

    @Test
    void theSampleResultsGetVerdictsForPassFailQuarantineAndReject() throws Exception {
        Runtime runtime = serve(dir.resolve("data"));

        HttpResponse<String> response = post(runtime, Files.readString(EVENTS.resolve("local-results.json")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> verdicts = new ArrayList<>();
        for (JsonNode v : JSON.readTree(response.body())) {
            verdicts.add(v.path("policyDomain").asText("-") + " "
                    + v.get("dmarc").asText() + " " + v.get("disposition").asText());
        }
        assertThat(verdicts)
                .containsExactly(
                        "example.com pass none",
                        "example.com fail reject",
                        "example.com fail quarantine",
                        "marketing.example.com fail none",
                        "example.net fail none",
                        "example.org pass none",
                        "- none none");
        assertThat(stop(runtime)).isZero();
        try (StoreContents contents = StoreContents.open(dir.resolve("data"))) {
            assertThat(contents.totalCount()).isEqualTo(6); // the result without a policy is not stored
            assertThat(contents.candidateIds()).hasSize(2); // example.com's fo=1 failures
        }
    }

    @Test
    void everyAcknowledgedResultSurvivesKillDashNine() throws Exception {
        Path data = dir.resolve("data");
        Runtime runtime = serve(data);
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean keepSending = new AtomicBoolean(true);
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int sender = s;
            senders.add(CompletableFuture.runAsync(() -> {
                for (int b = 0; keepSending.get() && b < 10_000; b++) {
                    String prefix = "s" + sender + "-b" + b;
                    sent.incrementAndGet();
                    try {
                        if (post(runtime, batch(prefix, 50)).statusCode() == 200) {
                            acknowledged.add(prefix);
                        }
                    } catch (Exception e) {
                        return; // the server is gone
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < 60 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        runtime.process().destroyForcibly(); // kill -9 while requests are in flight
        assertThat(runtime.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        keepSending.set(false);
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(runtime.process().exitValue())
                .as("killed by SIGKILL (128 + 9)")
                .isEqualTo(137);
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(60);

        Runtime restarted = serve(data);
        assertThat(post(restarted, batch("after-restart", 5)).statusCode()).isEqualTo(200);
        assertThat(stop(restarted)).isZero();

        try (StoreContents contents = StoreContents.open(data)) {
            for (String prefix : acknowledged) {
                for (int i = 0; i < 50; i++) {
                    assertThat(contents.hasMessageId(prefix + "-" + i))
                            .as(prefix + "-" + i)
                            .isTrue();
                }
            }
            long stored = contents.totalCount();
            // whole batches only: every counted result has its marker and nothing else was counted
            assertThat(stored).isEqualTo(contents.rows("message_ids"));
            assertThat(stored).isBetween(acknowledged.size() * 50L + 5, sent.get() * 50L + 5);
            assertThat(stored % 5).isZero();
        }
    }

    @Test
    void sigtermStopsPromptlyWithExitZeroAndKeepsTheData() throws Exception {
        Path data = dir.resolve("data");
        Runtime runtime = serve(data);
        assertThat(post(runtime, batch("before-stop", 10)).statusCode()).isEqualTo(200);

        long started = System.nanoTime();
        assertThat(stop(runtime)).isZero();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(Files.readString(runtime.stderr())).doesNotContain("ERROR").doesNotContain("Exception");
        try (StoreContents contents = StoreContents.open(data)) {
            assertThat(contents.totalCount()).isEqualTo(10);
        }
    }

    @Test
    void aSecondRuntimeOnATakenPortFailsWithExitOne() throws Exception {
        Runtime first = serve(dir.resolve("one"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process second = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        classPath,
                        Main.class.getName(),
                        "serve",
                        "--port",
                        String.valueOf(first.port()),
                        "--data-dir",
                        dir.resolve("two").toString(),
                        "--zone-file",
                        EVENTS.resolve("local-zone.zone").toString(),
                        "--config",
                        EVENTS.resolve("local-config.yaml").toString())
                .redirectErrorStream(true)
                .start();
        started.add(second);

        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("cannot listen on 127.0.0.1:" + first.port());
        assertThat(stop(first)).isZero();
    }
}
