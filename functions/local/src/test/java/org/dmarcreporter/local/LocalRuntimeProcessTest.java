package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.local.Processes.EVENTS;
import static org.dmarcreporter.local.Processes.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
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
import org.dmarcreporter.local.Processes.Serve;
import org.dmarcreporter.local.store.StoreContents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code serve} as its own process, the way users and scripts do, with the sample files of
 * {@code events/}: verdicts over HTTP, data surviving {@code kill -9}, clean SIGTERM.
 */
class LocalRuntimeProcessTest {

    @TempDir
    Path dir;

    private Processes processes;

    @BeforeEach
    void start() {
        processes = new Processes(dir);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        processes.close();
    }

    private Serve serve(Path dataDir) throws Exception {
        return processes.serve(withSampleFiles(dataDir));
    }

    /** {@code args}, then the options that run on the sample files of events/ with data in {@code dataDir}. */
    private static String[] withSampleFiles(Path dataDir, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--data-dir",
                dataDir.toString(),
                "--zone-file",
                EVENTS.resolve("local-zone.zone").toString(),
                "--config",
                EVENTS.resolve("local-config.yaml").toString()));
        return all.toArray(String[]::new);
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

    private static int stop(Serve runtime) throws InterruptedException {
        return runtime.stop(Duration.ofSeconds(20));
    }

    @Test
    void theSampleResultsGetVerdictsForPassFailQuarantineAndReject() throws Exception {
        Serve runtime = serve(dir.resolve("data"));

        HttpResponse<String> response =
                runtime.post("/v1/results", Files.readString(EVENTS.resolve("local-results.json")));

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
        Serve runtime = serve(data);
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
                        if (runtime.post("/v1/results", batch(prefix, 50)).statusCode() == 200) {
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

        Serve restarted = serve(data);
        assertThat(restarted.post("/v1/results", batch("after-restart", 5)).statusCode())
                .isEqualTo(200);
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
        Serve runtime = serve(data);
        assertThat(runtime.post("/v1/results", batch("before-stop", 10)).statusCode())
                .isEqualTo(200);

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
        Serve first = serve(dir.resolve("one"));
        Processes.Finished second =
                processes.run(withSampleFiles(dir.resolve("two"), "serve", "--port", String.valueOf(first.port())));

        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.stdout() + second.stderr()).contains("cannot listen on 127.0.0.1:" + first.port());
        assertThat(stop(first)).isZero();
    }

    @Test
    void aCompilerChoiceOtherThanAutoQuickOrFullIsAUsageError() throws Exception {
        try (Processes withBadChoice = new Processes(dir, List.of("-Ddmarc.jit=fast"))) {
            Processes.Finished run = withBadChoice.run(withSampleFiles(dir.resolve("data"), "serve"));

            assertThat(run.exit()).isEqualTo(Main.USAGE);
            assertThat(run.stderr()).contains("dmarc-local: dmarc.jit must be auto, quick or full, not 'fast'");
            assertThat(run.stdout()).doesNotContain("listening");
        }
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void theQuickCompilerChoiceIsAppliedAndLoggedAtStart() throws Exception {
        assertThat(startLog("-Ddmarc.jit=quick"))
                .contains("JIT: C1 only, C2 for AES-GCM (")
                .contains("dmarc.jit=quick");
    }

    @Test
    void aJvmWithoutTieredCompilationKeepsItsCompilers() throws Exception {
        // the directive would leave every method interpreted: there is no C1 to take over from C2
        assertThat(startLog("-Ddmarc.jit=quick", "-XX:-TieredCompilation"))
                .contains("JIT: as the JVM options say (tiered compilation is off")
                .doesNotContain("C1 only");
    }

    /** What a serve started with these JVM options logged up to its compiler choice. */
    private String startLog(String... jvmOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of(jvmOptions));
        // the test class path logs warnings only; the choice is logged at INFO
        options.add("-Dorg.slf4j.simpleLogger.log." + CompilerChoice.class.getName() + "=info");
        try (Processes withOptions = new Processes(dir, options)) {
            Serve runtime = withOptions.serve(withSampleFiles(dir.resolve("data")));
            String log = "";
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    !log.contains("JIT:") && System.nanoTime() < end; ) {
                Thread.sleep(50);
                log = Files.readString(runtime.stderr());
            }
            assertThat(stop(runtime)).isZero();
            return log;
        }
    }
}
