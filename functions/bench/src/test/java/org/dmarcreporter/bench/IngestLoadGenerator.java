package org.dmarcreporter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for {@code scripts/bench-local-ingest}: posts batches of results to a running
 * {@code serve} from N concurrent senders and prints results per second and request latency.
 * JDK only (it runs from test-classes without other jars); bounded in batches and in time;
 * loopback only.
 *
 * <pre>
 * java -cp functions/bench/target/test-classes org.dmarcreporter.bench.IngestLoadGenerator \
 *     --url http://127.0.0.1:8080/v1/results [--senders 4] [--batches 2000] [--batch-size 100] [--max-seconds 300]
 *     [--domains N]
 * </pre>
 *
 * With {@code --domains N} the results are spread round-robin over the policy domains
 * {@code d0.bench.example} to {@code d<N-1>.bench.example} (the script writes their zone, see
 * {@link #zone(int)}), each from its own source address in 198.18.0.0/15 (RFC 2544's benchmarking
 * range), so nearly every result is its own report row and a batch of 500 touches up to 500 windows.
 * Without it:
 * The results match {@code events/local-zone.zone}: mostly aligned passes of example.com, plus
 * forged example.com mail (reject, and a failure report candidate: fo=1), news.example.com
 * (quarantine), marketing.example.com, example.net (test mode) and example.org, from 256 source
 * addresses; every result has its own messageId, so de-duplication writes one marker each.
 */
public final class IngestLoadGenerator {

    private IngestLoadGenerator() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        URI url = URI.create(options.getOrDefault("--url", "http://127.0.0.1:8080/v1/results"));
        if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
            throw new IllegalArgumentException("loopback only: " + url);
        }
        int senders = Integer.parseInt(options.getOrDefault("--senders", "4"));
        int batches = Integer.parseInt(options.getOrDefault("--batches", "2000"));
        int batchSize = Integer.parseInt(options.getOrDefault("--batch-size", "100"));
        long maxSeconds = Long.parseLong(options.getOrDefault("--max-seconds", "300"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup-batches", "100"));
        int domains = Integer.parseInt(options.getOrDefault("--domains", "0"));
        if (options.containsKey("--zone")) {
            // only write the zone of --domains N, for the script to pass to serve
            java.nio.file.Files.writeString(java.nio.file.Path.of(options.get("--zone")), zone(domains));
            return;
        }

        String run = Long.toString(System.currentTimeMillis(), 36);
        List<byte[]> warmupBodies = new ArrayList<>(warmup);
        for (int b = 0; b < warmup; b++) {
            warmupBodies.add(body(run + "w", b, batchSize, domains));
        }
        List<byte[]> bodies = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            bodies.add(body(run, b, batchSize, domains));
        }
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        System.out.printf(Locale.ROOT, "warm-up: %d batches of %d results%n", warmup, batchSize);
        drive(client, url, warmupBodies, senders, maxSeconds);
        System.out.printf(
                Locale.ROOT,
                "measuring: %d batches of %d results, %d concurrent senders, %s%n",
                batches,
                batchSize,
                senders,
                domains > 0 ? domains + " policy domains" : "the sample domains of events/local-zone.zone");
        Outcome outcome = drive(client, url, bodies, senders, maxSeconds);

        long[] latencies = outcome.latenciesNanos();
        Arrays.sort(latencies);
        double seconds = outcome.elapsedNanos() / 1e9;
        long results = (long) outcome.ok() * batchSize;
        System.out.printf(
                Locale.ROOT,
                "requests: %d ok, %d failed %s%n",
                outcome.ok(),
                outcome.failed(),
                outcome.statuses().isEmpty() ? "" : outcome.statuses());
        System.out.printf(Locale.ROOT, "results stored: %d in %.2f s%n", results, seconds);
        System.out.printf(
                Locale.ROOT,
                "throughput: %.0f results/second (%.0f requests/second)%n",
                results / seconds,
                outcome.ok() / seconds);
        if (latencies.length > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "latency per request of %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    batchSize,
                    percentile(latencies, 50) / 1e6,
                    percentile(latencies, 99) / 1e6,
                    latencies[latencies.length - 1] / 1e6);
        }
        if (outcome.failed() > 0 || outcome.ok() < bodies.size()) {
            System.exit(1);
        }
    }

    record Outcome(int ok, int failed, Map<Integer, Integer> statuses, long[] latenciesNanos, long elapsedNanos) {}

    static Outcome drive(HttpClient client, URI url, List<byte[]> bodies, int senders, long maxSeconds)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        long[] latencies = new long[bodies.size()];
        AtomicLong measured = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        long started = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            work.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size() && System.nanoTime() < deadline) {
                    HttpRequest request = HttpRequest.newBuilder(url)
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                            .build();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        latencies[i] = System.nanoTime() - t0;
                        measured.incrementAndGet();
                        if (response.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            statuses.merge(response.statusCode(), 1, Integer::sum);
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        statuses.merge(-1, 1, Integer::sum);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        long elapsed = System.nanoTime() - started;
        pool.shutdown();
        long[] done = Arrays.stream(latencies).filter(l -> l > 0).toArray();
        return new Outcome(ok.get(), failed.get(), new TreeMap<>(statuses), done, elapsed);
    }

    static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The zone of {@code --domains N}: each domain a DMARC record with a rua (RFC 9989 §4.7). */
    static String zone(int domains) {
        StringBuilder z = new StringBuilder(domains * 80 + 200);
        z.append("$TTL 3600\n$ORIGIN bench.example.\n")
                .append("@ IN SOA ns1.bench.example. hostmaster.bench.example. ( 1 7200 900 1209600 300 )\n")
                .append("@ IN NS ns1.bench.example.\n");
        for (int d = 0; d < domains; d++) {
            z.append("_dmarc.d")
                    .append(d)
                    .append(" IN TXT \"v=DMARC1; p=")
                    .append(d % 3 == 0 ? "reject" : "none")
                    .append("; rua=mailto:dmarc@d")
                    .append(d)
                    .append(".bench.example\"\n");
        }
        return z.toString();
    }

    /** One batch over {@code domains} generated domains (0: the sample domains). */
    static byte[] body(String run, int batch, int size, int domains) {
        if (domains <= 0) {
            return body(run, batch, size);
        }
        StringBuilder b = new StringBuilder(size * 330);
        b.append('[');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            int n = batch * size + i;
            String domain = "d" + (n % domains) + ".bench.example";
            int host = (int) (mix(n) & 0x1ffff); // 198.18.0.0/15
            String ip = "198." + (18 + (host >> 16)) + "." + ((host >> 8) & 0xff) + "." + (host & 0xff);
            b.append("{\"messageId\":\"<")
                    .append(Long.toHexString(mix(run.hashCode() * 1_000_003L + n)))
                    .append('.')
                    .append(n)
                    .append("@bench.example>\",\"sourceIp\":\"")
                    .append(ip)
                    .append("\",\"helo\":\"mail.")
                    .append(domain)
                    .append("\",\"envelopeFrom\":\"bounces@")
                    .append(domain)
                    .append("\",\"envelopeTo\":[\"bob@example.org\"],\"headerFrom\":\"News <news@")
                    .append(domain)
                    .append(">\",\"spf\":{\"result\":\"")
                    .append(n % 4 == 0 ? "fail" : "pass")
                    .append("\",\"domain\":\"")
                    .append(domain)
                    .append("\"},\"dkim\":[{\"result\":\"")
                    .append(n % 8 == 0 ? "fail" : "pass")
                    .append("\",\"domain\":\"")
                    .append(domain)
                    .append("\",\"selector\":\"s1\"}]}");
        }
        return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One batch; results vary in domain, outcome and source address like a mail server's traffic. */
    static byte[] body(String run, int batch, int size) {
        StringBuilder b = new StringBuilder(size * 330);
        b.append('[');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            int n = batch * size + i;
            String ip = "198.51.100." + (n * 7 % 256);
            // Message-IDs are random to a B-tree, as real ones are (<CA+...@mail.gmail.com>)
            b.append("{\"messageId\":\"<")
                    .append(Long.toHexString(mix(run.hashCode() * 1_000_003L + n)))
                    .append('.')
                    .append(n)
                    .append("@bench.example>\",")
                    .append("\"sourceIp\":\"")
                    .append(ip)
                    .append("\",\"sourcePort\":")
                    .append(20_000 + n % 40_000)
                    .append(',');
            switch (n % 10) {
                case 0 ->
                    b.append("\"helo\":\"attacker.test\",\"envelopeFrom\":\"billing@attacker.test\",")
                            .append(
                                    "\"envelopeTo\":[\"bob@example.org\"],\"headerFrom\":\"Billing <billing@example.com>\",")
                            .append("\"spf\":{\"result\":\"fail\",\"domain\":\"attacker.test\"},")
                            .append(
                                    "\"dkim\":[{\"result\":\"fail\",\"domain\":\"example.com\",\"selector\":\"s2025\"}],")
                            .append("\"headers\":\"From: Billing <billing@example.com>\\r\\nTo: bob@example.org\\r\\n")
                            .append("Subject: invoice ")
                            .append(n)
                            .append("\\r\\n\"}");
                case 1 ->
                    b.append("\"helo\":\"attacker.test\",\"envelopeFrom\":\"alerts@attacker.test\",")
                            .append(
                                    "\"envelopeTo\":[\"carol@example.org\"],\"headerFrom\":\"alerts@news.example.com\",")
                            .append("\"spf\":{\"result\":\"softfail\",\"domain\":\"attacker.test\"}}");
                case 2 ->
                    b.append("\"helo\":\"esp.example.net\",\"envelopeFrom\":\"bounces@esp.example.net\",")
                            .append(
                                    "\"envelopeTo\":[\"dave@example.org\"],\"headerFrom\":\"offers@marketing.example.com\",")
                            .append("\"spf\":{\"result\":\"pass\",\"domain\":\"esp.example.net\"},")
                            .append(
                                    "\"dkim\":[{\"result\":\"pass\",\"domain\":\"esp.example.net\",\"selector\":\"esp1\"}]}");
                case 3 ->
                    b.append("\"helo\":\"mx.example.net\",\"envelopeFrom\":\"staff@example.net\",")
                            .append("\"envelopeTo\":[\"erin@example.org\"],\"headerFrom\":\"staff@example.net\",")
                            .append("\"spf\":{\"result\":\"fail\",\"domain\":\"example.net\"}}");
                case 4 ->
                    b.append("\"helo\":\"mail.example.org\",\"envelopeFrom\":\"list@example.org\",")
                            .append("\"envelopeTo\":[\"frank@example.com\"],\"headerFrom\":\"list@example.org\",")
                            .append("\"spf\":{\"result\":\"pass\",\"domain\":\"example.org\"},")
                            .append("\"dkim\":[{\"result\":\"pass\",\"domain\":\"example.org\",\"selector\":\"k1\"}]}");
                default ->
                    b.append("\"helo\":\"mail.example.com\",\"envelopeFrom\":\"newsletter@example.com\",")
                            .append(
                                    "\"envelopeTo\":[\"bob@example.org\"],\"headerFrom\":\"News <newsletter@example.com>\",")
                            .append("\"spf\":{\"result\":\"pass\",\"domain\":\"example.com\"},")
                            .append(
                                    "\"dkim\":[{\"result\":\"pass\",\"domain\":\"example.com\",\"selector\":\"s2025\"}]}");
            }
        }
        return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** SplitMix64's finalizer: spreads consecutive numbers over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** {@code --name value} pairs, as the benchmarks take them. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }
}
