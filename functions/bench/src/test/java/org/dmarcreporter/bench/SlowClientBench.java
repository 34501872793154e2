package org.dmarcreporter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.dmarcreporter.core.testing.SlowClients;

/**
 * For {@code scripts/bench-slow-clients}: latency of ordinary requests to a running {@code serve},
 * first alone, then while {@code --slow} slowloris connections (headers or bodies trickled a
 * byte at a time, reopened when the server drops them) are held open. Prints p50/p99/max of each
 * phase. JDK only; loopback only; bounded in requests and in time.
 *
 * <pre>
 * java -cp functions/local/target/test-classes org.dmarcreporter.local.bench.SlowClientBench \
 *     --url http://127.0.0.1:8080/v1/results [--slow 200] [--requests 300] [--batch-size 10] [--pace-ms 100] [--max-seconds 120]
 * </pre>
 */
public final class SlowClientBench {

    private SlowClientBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = IngestLoadGenerator.options(args);
        URI url = URI.create(options.getOrDefault("--url", "http://127.0.0.1:8080/v1/results"));
        if (!"127.0.0.1".equals(url.getHost())) {
            throw new IllegalArgumentException("loopback only: " + url);
        }
        int slow = Integer.parseInt(options.getOrDefault("--slow", "200"));
        int requests = Integer.parseInt(options.getOrDefault("--requests", "300"));
        int batchSize = Integer.parseInt(options.getOrDefault("--batch-size", "10"));
        long maxSeconds = Long.parseLong(options.getOrDefault("--max-seconds", "120"));
        // Paced, so that the measured phase outlasts the server's header and body deadlines
        // (10 s, 30 s) and includes slow connections being dropped and reopened.
        long paceMillis = Long.parseLong(options.getOrDefault("--pace-ms", "100"));
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String run = Long.toString(System.currentTimeMillis(), 36);

        phase("warm-up", client, url, run + "w", 50, batchSize, maxSeconds, 0, false);
        boolean ok = phase("alone", client, url, run + "a", requests, batchSize, maxSeconds, paceMillis, true);
        try (SlowClients clients = SlowClients.open(url.getPort(), slow, 100)) {
            Thread.sleep(1_000);
            System.out.printf(
                    Locale.ROOT,
                    "holding %d slow connections (half trickle headers, half bodies, " + "a byte each per 100 ms)%n",
                    slow);
            ok &= phase(
                    "with " + slow + " slow connections",
                    client,
                    url,
                    run + "s",
                    requests,
                    batchSize,
                    maxSeconds,
                    paceMillis,
                    true);
            System.out.printf(
                    Locale.ROOT, "slow connections the server dropped (and were reopened): %d%n", clients.reopened());
        }
        if (!ok) {
            System.exit(1);
        }
    }

    /** Sends {@code count} requests one after another, {@code paceMillis} apart; prints the latencies; true when all were 200. */
    private static boolean phase(
            String name,
            HttpClient client,
            URI url,
            String run,
            int count,
            int batchSize,
            long maxSeconds,
            long paceMillis,
            boolean print)
            throws Exception {
        long[] latencies = new long[count];
        int done = 0;
        int failed = 0;
        Map<Integer, Integer> statuses = new TreeMap<>();
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(IngestLoadGenerator.body(run, i, batchSize)))
                    .build();
            long t0 = System.nanoTime();
            int status;
            try {
                status = client.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (java.io.IOException e) {
                status = -1; // timed out or refused
            }
            latencies[done++] = System.nanoTime() - t0;
            if (status != 200) {
                failed++;
                statuses.merge(status, 1, Integer::sum);
            }
            if (paceMillis > 0) {
                Thread.sleep(paceMillis);
            }
        }
        long[] sorted = Arrays.copyOf(latencies, done);
        Arrays.sort(sorted);
        if (print && done > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d requests of %d results, %d failed %s; p50 %.1f ms, p99 %.1f ms," + " max %.1f ms%n",
                    name,
                    done,
                    batchSize,
                    failed,
                    statuses.isEmpty() ? "" : statuses,
                    percentile(sorted, 50) / 1e6,
                    percentile(sorted, 99) / 1e6,
                    sorted[done - 1] / 1e6);
        }
        return failed == 0 && done == count;
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
