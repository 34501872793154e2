package org.dmarcreporter.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench-failure-latency}: how long after the ingest answer a failure report leaves
 * the local runtime. Starts a minimal SMTP sink on 127.0.0.1, then {@code serve --smtp} to it as a
 * child process, posts one failing result (example.com, fo=1, each from its own source address so
 * nothing is merged) per request at a steady rate, and takes for each the time from its 200 answer
 * to the end of the report's DATA at the sink (matched by the report's {@code Source-IP}). Prints
 * p50, p99 and max after a warm-up. JDK only; loopback only.
 *
 * <pre>
 * java -cp functions/bench/target/test-classes org.dmarcreporter.bench.FailureLatencyBench \
 *     --jar functions/local/target/dmarc-local.jar --work DIR [--rate 20] [--seconds 30] [--warmup-seconds 5]
 * </pre>
 */
public final class FailureLatencyBench {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    private final AtomicInteger failedPosts = new AtomicInteger();

    private FailureLatencyBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = IngestLoadGenerator.options(args);
        Path jar = Path.of(o.getOrDefault("--jar", "functions/local/target/dmarc-local.jar"));
        Path work = Path.of(o.getOrDefault(
                "--work", Files.createTempDirectory("bench-failure-latency").toString()));
        double rate = Double.parseDouble(o.getOrDefault("--rate", "20"));
        int seconds = Integer.parseInt(o.getOrDefault("--seconds", "30"));
        int warmup = Integer.parseInt(o.getOrDefault("--warmup-seconds", "5"));
        String javaOpts = o.getOrDefault("--java-opts", "");
        new FailureLatencyBench().run(jar, work, rate, seconds, warmup, javaOpts);
    }

    private void run(Path jar, Path work, double rate, int seconds, int warmup, String javaOpts) throws Exception {
        ServerSocket sink = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        ExecutorService sessions = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "smtp-sink");
            t.setDaemon(true);
            return t;
        });
        sessions.submit(() -> accept(sink, sessions));

        Path config = work.resolve("config.yaml");
        Files.writeString(
                config,
                Files.readString(Path.of("events/local-config.yaml"))
                        + "\n# benchmark: no rate limit, so every result gives a report\n"
                        + "failureReportsPerDestinationPerHour: 0\nfailureReportsPerMinute: 0\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!javaOpts.isBlank()) {
            command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-jar",
                jar.toString(),
                "serve",
                "--port",
                "0",
                "--data-dir",
                work.resolve("data").toString(),
                "--smtp",
                "127.0.0.1:" + sink.getLocalPort(),
                "--zone-file",
                "events/local-zone.zone",
                "--config",
                config.toString()));
        Process serve = new ProcessBuilder(command)
                .redirectError(work.resolve("serve.stderr").toFile())
                .start();
        try {
            URI results = URI.create(EndToEndBench.listening(serve, work) + "/v1/results");
            System.out.printf(
                    Locale.ROOT,
                    "serve %s --smtp 127.0.0.1:%d (a sink), %d CPUs; %.0f results/s for %d s after %d s warm-up%n",
                    results,
                    sink.getLocalPort(),
                    Runtime.getRuntime().availableProcessors(),
                    rate,
                    seconds,
                    warmup);

            int warm = (int) Math.round(rate * warmup);
            int total = warm + (int) Math.round(rate * seconds);
            // Warm-up (JIT, the mail classes' first use), then wait until its reports are out, so
            // that the measured part does not start behind a queue.
            steady(results, 0, warm, rate);
            drain(warm);
            long cpuBefore = EndToEndBench.cpuMillis(serve);
            steady(results, warm, total, rate);
            drain(total);
            long cpu = EndToEndBench.cpuMillis(serve) - cpuBefore;
            report(total, warm);
            if (cpu > 0) { // 0 without /proc
                System.out.printf(
                        Locale.ROOT,
                        "serve CPU time in the measured part: %.1f ms per result (ingest and report)%n",
                        (double) cpu / (total - warm));
            }
        } finally {
            serve.destroy(); // SIGTERM: a clean stop
            serve.waitFor(30, TimeUnit.SECONDS);
            sink.close();
        }
    }

    private void steady(URI results, int from, int to, double rate) throws InterruptedException {
        long period = Math.round(1e9 / rate);
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long wait = start + (i - from) * period - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            post(results, i);
        }
    }

    private void drain(int posted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((receivedAt.size() < posted - failedPosts.get() || answeredAt.size() < posted - failedPosts.get())
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The source IP of result {@code i}: the key from the post to the report at the sink. */
    private static String ip(int i) {
        return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
    }

    private void post(URI results, int i) {
        String ip = ip(i);
        String body = "{\"messageId\":\"<bench." + i + "@attacker.test>\",\"sourceIp\":\"" + ip + "\","
                + "\"envelopeFrom\":\"billing@attacker.test\",\"envelopeTo\":[\"bob@example.org\"],"
                + "\"headerFrom\":\"Billing <billing@example.com>\","
                + "\"spf\":{\"result\":\"fail\",\"domain\":\"attacker.test\",\"scope\":\"mfrom\"},"
                + "\"dkim\":[{\"result\":\"fail\",\"domain\":\"example.com\",\"selector\":\"s1\"}],"
                + "\"headers\":\"From: Billing <billing@example.com>\\r\\nTo: bob@example.org\\r\\n"
                + "Subject: invoice " + i + "\\r\\nMessage-ID: <bench." + i + "@attacker.test>\\r\\n\"}";
        CLIENT.sendAsync(
                        HttpRequest.newBuilder(results)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> {
                    if (e == null && r.statusCode() == 200) {
                        answeredAt.put(ip, System.nanoTime());
                    } else {
                        failedPosts.incrementAndGet();
                    }
                });
    }

    private void report(int total, int warm) {
        List<Long> micros = new ArrayList<>();
        int missing = 0;
        for (int i = warm; i < total; i++) {
            String ip = ip(i);
            Long answered = answeredAt.get(ip);
            Long received = receivedAt.get(ip);
            if (answered == null || received == null) {
                missing++;
                continue;
            }
            // never below 0: the sink may take the report before the client has read the answer
            micros.add(Math.max(0, received - answered) / 1_000);
        }
        micros.sort(null);
        if (micros.isEmpty()) {
            System.out.println("no report arrived");
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "reports measured: %d (missing %d, posts failed %d)%n"
                        + "latency from the ingest answer to the report at the SMTP sink:"
                        + " p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal: p99 < 2000 ms)%n",
                micros.size(),
                missing,
                failedPosts.get(),
                pct(micros, 0.50) / 1e3,
                pct(micros, 0.99) / 1e3,
                micros.get(micros.size() - 1) / 1e3);
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private void accept(ServerSocket sink, ExecutorService sessions) {
        while (!sink.isClosed()) {
            try {
                Socket s = sink.accept();
                sessions.submit(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Just enough SMTP (RFC 5321) for one message per connection, no TLS offered. */
    private void session(Socket socket) {
        try (socket;
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = socket.getOutputStream()) {
            reply(out, "220 sink ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 sink");
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        String ip = null;
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            if (ip == null && line.startsWith("Source-IP: ")) {
                                ip = line.substring("Source-IP: ".length()).trim();
                            }
                        }
                        if (ip != null) {
                            receivedAt.putIfAbsent(ip, System.nanoTime());
                        }
                        reply(out, "250 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "250 ok"); // MAIL, RCPT, RSET, NOOP
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
