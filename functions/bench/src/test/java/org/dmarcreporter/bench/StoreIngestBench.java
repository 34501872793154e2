package org.dmarcreporter.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.local.store.SqliteResultStore;

/**
 * The local store's share of ingest, without HTTP or evaluation: BATCHES batches of BATCH_SIZE
 * results over DOMAINS domains (nearly every result a row of its own, as in
 * scripts/bench-local-ingest --domains), written into a fresh SQLite store with the runtime's
 * durability ({@code -Ddurability=NORMAL} for the other) from WRITERS threads at once, like the
 * HTTP threads (default 4). Prints results/s, the process's CPU time and bytes written (WAL and
 * checkpoints, from /proc/self/io) per result: the part of
 * ingest that runs one batch at a time under the store's lock, plus the fsyncs. Duplicate
 * messageIds are checked unless {@code -Dnodedupe=true}.
 *
 * <pre>
 * mvn -q -pl functions/bench -am package -DskipTests
 * java -cp functions/local/target/dmarc-local.jar:functions/bench/target/test-classes \
 *   org.dmarcreporter.bench.StoreIngestBench [batches] [batchSize] [domains] [writers]
 * </pre>
 */
public final class StoreIngestBench {

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int domains = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int writers = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("store-ingest-bench");
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (SqliteResultStore store = SqliteResultStore.open(
                dir,
                Clock.fixed(now, ZoneOffset.UTC),
                SqliteResultStore.Durability.valueOf(System.getProperty("durability", "FULL")))) {
            List<IngestBatch> warm = batches("w", batches / 4, size, domains, now);
            List<IngestBatch> measured = batches("m", batches, size, domains, now);
            write(store, warm, writers);
            long written0 = bytesWritten();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            write(store, measured, writers);
            long nanos = System.nanoTime() - t0;
            long cpuNanos = os.getProcessCpuTime() - cpu0;
            long written = bytesWritten() - written0;
            long results = (long) batches * size;
            System.out.printf(
                    "store ingest: %d results (%d batches of %d, %d domains, %d writers, after %d warm-up batches)"
                            + " in %.2f s = %.0f results/s; CPU %.1f us per result; written %s per result; file %d MB%n",
                    results,
                    batches,
                    size,
                    domains,
                    writers,
                    warm.size(),
                    nanos / 1e9,
                    results / (nanos / 1e9),
                    cpuNanos / 1e3 / results,
                    written < 0 ? "n/a" : String.format("%.1f KB", written / 1024.0 / results),
                    Files.size(dir.resolve(SqliteResultStore.FILE_NAME)) >> 20);
        }
    }

    /**
     * Bytes this process has handed to write(2) and the like (Linux {@code /proc/self/io} wchar:
     * the WAL, the checkpoints into the file), or -1 where that is not available.
     */
    private static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return -1;
    }

    private static void write(SqliteResultStore store, List<IngestBatch> batches, int writers)
            throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            Thread thread = new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < batches.size(); ) {
                    store.ingest(batches.get(i));
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static List<IngestBatch> batches(String run, int batches, int size, int domains, Instant now) {
        List<IngestBatch> out = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            List<StoredResult> results = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int n = b * size + i;
                String domain = "d" + (n % domains) + ".bench.example";
                long h = (n * 0x9E3779B97F4A7C15L) >>> 47; // 17 bits
                String ip = "198." + (18 + (h >> 16)) + "." + ((h >> 8) & 0xff) + "." + (h & 0xff);
                AggregateRow row = new AggregateRow(
                        ip,
                        domain,
                        domain,
                        n % 4 == 0 ? ReportedDisposition.NONE : ReportedDisposition.PASS,
                        n % 8 != 0,
                        n % 4 != 0,
                        List.of(),
                        List.of(new DkimAuth(domain, "s1", n % 8 == 0 ? "fail" : "pass")),
                        new SpfAuth(domain, "mfrom", n % 4 == 0 ? "fail" : "pass"));
                results.add(new StoredResult(
                        "<" + run + n + "@bench.example>",
                        ReportingWindows.windowFor(domain, now, 0),
                        row,
                        "v=DMARC1; p=none; rua=mailto:dmarc@" + domain,
                        null,
                        i));
            }
            out.add(new IngestBatch(null, null, new byte[0], results, !Boolean.getBoolean("nodedupe"), now));
        }
        return out;
    }
}
