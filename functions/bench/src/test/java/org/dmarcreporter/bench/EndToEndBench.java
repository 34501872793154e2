package org.dmarcreporter.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The end-to-end benchmark of {@code scripts/bench-end-to-end}: an SMTP sink ({@link SmtpSink},
 * with or without STARTTLS), {@code serve --smtp} on a zone of N generated policy domains (each
 * {@code rua=mailto:dmarc@<domain>}), the ingest of R results over HTTP (batches, concurrent
 * senders), then one {@code POST /v1/reports/send-now}: prints results/s of the ingest, the
 * send-now answer time and the time from the request until the sink accepted the first report, half
 * of them and every one, and checks that the sink got exactly one message per domain and that the
 * summary says so. JDK only.
 *
 * <pre>
 * java -cp functions/bench/target/test-classes org.dmarcreporter.bench.EndToEndBench \
 *     --jar functions/local/target/dmarc-local.jar --config events/local-config.yaml --work DIR \
 *     [--domains 2000] [--results 200000] [--batch-size 500] [--senders 4] [--starttls true|false]
 *     [--java-opts "-D..."] [--warmup-batches 0] [--warm-run false]
 * </pre>
 *
 * With {@code --warm-run true} the serve first ingests the warm-up batches (40 by default) and
 * sends them with a send-now of its own, so that the measured run finds its code compiled, as a
 * serve that has sent reports before does; without it the figures are those of a fresh serve.
 */
public final class EndToEndBench {

    private EndToEndBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = IngestLoadGenerator.options(args);
        Path jar = Path.of(o.getOrDefault("--jar", "functions/local/target/dmarc-local.jar"));
        Path config = Path.of(o.getOrDefault("--config", "events/local-config.yaml"));
        Path work = Path.of(required(o, "--work"));
        int domains = Integer.parseInt(o.getOrDefault("--domains", "2000"));
        int results = Integer.parseInt(o.getOrDefault("--results", "200000"));
        int batchSize = Integer.parseInt(o.getOrDefault("--batch-size", "500"));
        int senders = Integer.parseInt(o.getOrDefault("--senders", "4"));
        boolean warmRun = Boolean.parseBoolean(o.getOrDefault("--warm-run", "false"));
        String warmupBatches = o.getOrDefault("--warmup-batches", "");
        int warmup = Integer.parseInt(warmupBatches.isBlank() ? (warmRun ? "40" : "0") : warmupBatches);
        boolean starttls = Boolean.parseBoolean(o.getOrDefault("--starttls", "true"));
        String javaOpts = o.getOrDefault("--java-opts", "");
        if (results % batchSize != 0 || domains < 1) {
            throw new IllegalArgumentException("--results must be a multiple of --batch-size; --domains at least 1");
        }

        Files.createDirectories(work);
        Path zone = work.resolve("bench.zone");
        Files.writeString(zone, IngestLoadGenerator.zone(domains));
        Path serveConfig = work.resolve("config.yaml");
        String configText = Files.readString(config);
        if (starttls) {
            // the sink's certificate is made now and signed by nobody
            configText += "\nsmtpTrustedHosts: 127.0.0.1\n";
        }
        Files.writeString(serveConfig, configText);

        try (SmtpSink sink = new SmtpSink(starttls ? selfSigned(work) : null)) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String opt : javaOpts.trim().split("\\s+")) {
                if (!opt.isEmpty()) {
                    command.add(opt);
                }
            }
            command.addAll(List.of(
                    "-jar",
                    jar.toString(),
                    "serve",
                    "--port",
                    "0",
                    "--data-dir",
                    work.resolve("data").toString(),
                    "--zone-file",
                    zone.toString(),
                    "--config",
                    serveConfig.toString(),
                    "--smtp",
                    "127.0.0.1:" + sink.port()));
            Process serve = new ProcessBuilder(command)
                    .redirectError(work.resolve("serve.stderr").toFile())
                    .start();
            try {
                String base = listening(serve, work);
                run(serve, sink, base, domains, results, batchSize, senders, warmup, warmRun, starttls);
            } finally {
                serve.destroy();
                if (!serve.waitFor(20, TimeUnit.SECONDS)) {
                    serve.destroyForcibly();
                }
            }
        }
    }

    private static void run(
            Process serve,
            SmtpSink sink,
            String base,
            int domains,
            int results,
            int batchSize,
            int senders,
            int warmup,
            boolean warmRun,
            boolean starttls)
            throws Exception {
        System.out.printf(
                Locale.ROOT,
                "setup: serve %s, SMTP sink 127.0.0.1:%d (%s), %d policy domains, %d CPUs%n",
                base,
                sink.port(),
                starttls ? "offers STARTTLS" : "no STARTTLS",
                domains,
                Runtime.getRuntime().availableProcessors());
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        URI ingest = URI.create(base + "/v1/results");
        String run = Long.toString(System.currentTimeMillis(), 36);
        if (warmup > 0) {
            List<byte[]> w = new ArrayList<>();
            for (int b = 0; b < warmup; b++) {
                w.add(IngestLoadGenerator.body(run + "w", b, batchSize, domains));
            }
            IngestLoadGenerator.drive(client, ingest, w, senders, 300);
        }
        if (warmRun) {
            HttpResponse<String> r = client.send(sendNow(base), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sink.accepted() < domains && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.printf(
                    Locale.ROOT,
                    "warm-up: %d results, then a send-now (HTTP %d, %d reports at the sink) before the measured run%n",
                    warmup * batchSize,
                    r.statusCode(),
                    sink.accepted());
            Thread.sleep(1100); // the measured results go into windows after that send-now's cut
        }
        List<byte[]> bodies = new ArrayList<>();
        for (int b = 0; b < results / batchSize; b++) {
            bodies.add(IngestLoadGenerator.body(run, b, batchSize, domains));
        }
        long cpu0 = cpuMillis(serve);
        IngestLoadGenerator.Outcome in = IngestLoadGenerator.drive(client, ingest, bodies, senders, 600);
        long cpu1 = cpuMillis(serve);
        double ingestSeconds = in.elapsedNanos() / 1e9;
        long stored = (long) in.ok() * batchSize;
        System.out.printf(
                Locale.ROOT,
                "ingest: %d results (%d batches of %d, %d senders%s) in %.2f s = %.0f results/s;"
                        + " %d failed requests; server CPU %.1f s%n",
                stored,
                in.ok(),
                batchSize,
                senders,
                warmup > 0 ? ", after " + warmup + " warm-up batches" : "",
                ingestSeconds,
                stored / ingestSeconds,
                in.failed(),
                (cpu1 - cpu0) / 1000.0);
        if (in.failed() > 0) {
            throw new IllegalStateException("ingest requests failed: " + in.statuses());
        }

        HttpRequest sendNow = sendNow(base);
        Map<String, Long> threads0 = threadCpu(serve);
        int before = sink.accepted();
        int distinctBefore = sink.distinctMessageIds();
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer =
                client.sendAsync(sendNow, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = answer.get(10, TimeUnit.MINUTES);
        long answered = System.nanoTime();
        long deadline = answered + TimeUnit.SECONDS.toNanos(60);
        while (sink.accepted() - before < domains && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long cpu2 = cpuMillis(serve);
        Map<String, Long> threads1 = threadCpu(serve);
        List<Long> times = sink.acceptedTimes();
        int got = times.size() - before;
        long last = got > 0 ? times.get(times.size() - 1) : answered;
        long first = got > 0 ? times.get(before) : answered;
        // half way: how much of the run the first half took (a fresh serve's JIT warms up as it goes)
        long half = got > 1 ? times.get(before + got / 2 - 1) : last;
        Thread.sleep(1000); // anything sent twice would arrive now
        int finalCount = sink.accepted() - before;

        String body = response.body();
        long reported = number(body, "reported");
        long sent = number(body, "sent");
        long windows = number(body, "windows");
        long failed = number(body, "failed");
        System.out.printf(
                Locale.ROOT,
                "send-now: HTTP %d answered in %.2f s; summary: %d windows, %d reported, %d sent, %d failed%n",
                response.statusCode(),
                (answered - t0) / 1e9,
                windows,
                reported,
                sent,
                failed);
        System.out.printf(
                Locale.ROOT,
                "reports at the sink: %d messages (%d distinct Message-IDs, %d recipients) over %d connections"
                        + " (%d with TLS); first %.2f s, %d accepted %.2f s, all %d accepted %.2f s after the"
                        + " request%n",
                finalCount,
                sink.distinctMessageIds() - distinctBefore,
                sink.distinctRecipients(),
                sink.connections(),
                sink.tlsSessions(),
                (first - t0) / 1e9,
                got / 2,
                (half - t0) / 1e9,
                got,
                (last - t0) / 1e9);
        Map<String, Long> delta = new TreeMap<>();
        threads1.forEach((name, ms) -> delta.merge(name, ms - threads0.getOrDefault(name, 0L), Long::sum));
        StringBuilder busiest = new StringBuilder();
        delta.entrySet().stream()
                .filter(e -> e.getValue() >= 100)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6)
                .forEach(e ->
                        busiest.append(String.format(Locale.ROOT, ", %s %.1f s", e.getKey(), e.getValue() / 1000.0)));
        System.out.printf(Locale.ROOT, "send-now server CPU: %.1f s%s%n", (cpu2 - cpu1) / 1000.0, busiest);
        List<String> problems = new ArrayList<>();
        if (response.statusCode() != 200) {
            problems.add("send-now answered " + response.statusCode() + ": " + body);
        }
        if (finalCount != domains) {
            problems.add("the sink got " + finalCount + " messages, expected " + domains);
        }
        if (sink.distinctMessageIds() - distinctBefore != domains) {
            problems.add("the sink got " + (sink.distinctMessageIds() - distinctBefore)
                    + " new distinct Message-IDs, expected " + domains);
        }
        if (reported != domains) {
            problems.add("the summary says " + reported + " reported, expected " + domains);
        }
        if (sent != domains) {
            problems.add("the summary says " + sent + " sent, expected " + domains);
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.out.println("CHECK FAILED: " + p));
            System.exit(1);
        }
        System.out.println("checks: the sink got exactly " + domains + " reports, the summary says " + domains
                + " reported and " + domains + " sent");
    }

    private static HttpRequest sendNow(String base) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/reports/send-now"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
    }

    /** A totals member of the summary JSON ({@code "totals": {"windows": 1, "reported": 0, ...}}). */
    private static long number(String json, String member) {
        int totals = json.indexOf("\"totals\"");
        Matcher m = Pattern.compile("\"" + member + "\"\\s*:\\s*(\\d+)").matcher(json);
        return totals >= 0 && m.find(totals) ? Long.parseLong(m.group(1)) : -1;
    }

    /** user+system CPU of the serve process, from /proc (0 where there is none). */
    static long cpuMillis(Process p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10; // CLK_TCK is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU per thread group of the serve (thread names with digits folded: "pool-3-thread-7" is "pool-N-thread-N"). */
    private static Map<String, Long> threadCpu(Process p) {
        Map<String, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("\\d+", "N");
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc
        }
        return out;
    }

    /** The URL serve printed (reading its stdout on in the background); its stderr is {@code work/serve.stderr}. */
    static String listening(Process serve, Path work) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("listening on ")) {
                String url = line.substring("listening on ".length()).trim();
                Thread drain = new Thread(() -> drain(serve.getInputStream()), "serve-stdout");
                drain.setDaemon(true);
                drain.start();
                return url;
            }
        }
        throw new IllegalStateException("serve did not start: " + Files.readString(work.resolve("serve.stderr")));
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // serve stopped
        }
    }

    /** A PKCS#12 key store with a self-signed EC certificate for 127.0.0.1, made with the JDK's keytool. */
    private static SSLContext selfSigned(Path work) throws Exception {
        Path store = work.resolve("sink.p12");
        char[] password = "bench-sink".toCharArray();
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "sink",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(password),
                        "-keypass",
                        new String(password))
                .redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return v;
    }
}
