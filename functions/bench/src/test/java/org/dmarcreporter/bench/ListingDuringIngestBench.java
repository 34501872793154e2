package org.dmarcreporter.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.local.store.SqliteReportLedger;
import org.dmarcreporter.local.store.SqliteResultStore;

/**
 * Whether {@code GET /v1/reports} holds up ingest: a local store with one pending window of ROWS
 * rows (default 1,000,000), whose listing counts them, then 200 batches of 100 results ingested
 * by one thread, alone and while another thread lists the windows over and over. Prints the
 * listing's time and, for each round, the batches' total and slowest time.
 *
 * <pre>
 * mvn -q -pl functions/bench -am package -DskipTests
 * java -cp functions/local/target/dmarc-local.jar:functions/bench/target/test-classes \
 *   org.dmarcreporter.bench.ListingDuringIngestBench [rows]
 * </pre>
 */
public final class ListingDuringIngestBench {

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("listing-bench");
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        try (SqliteResultStore store =
                SqliteResultStore.open(dir, Clock.fixed(now, ZoneOffset.UTC), SqliteResultStore.Durability.NORMAL)) {
            String big = "big.bench.example";
            for (int b = 0; b < rows / 500; b++) {
                List<StoredResult> results = new ArrayList<>(500);
                for (int i = 0; i < 500; i++) {
                    int n = b * 500 + i;
                    String ip = "10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255);
                    results.add(result(big, ip, List.of(new DkimAuth(big, "s1", "pass")), now, i));
                }
                store.ingest(new IngestBatch(null, null, new byte[0], results, false, now));
            }
            SqliteReportLedger ledger = new SqliteReportLedger(store);
            for (int k = 0; k < 3; k++) {
                long t = System.nanoTime();
                long counted = ledger.recentWindows(0, 100).get(0).rows();
                System.out.printf("listing: %,d rows counted in %.0f ms%n", counted, (System.nanoTime() - t) / 1e6);
            }
            for (boolean listing : new boolean[] {false, true, false, true}) {
                round(store, ledger, listing, now);
            }
        }
    }

    private static void round(SqliteResultStore store, SqliteReportLedger ledger, boolean listing, Instant now)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger listings = new AtomicInteger();
        Thread lister = new Thread(() -> {
            while (!stop.get()) {
                ledger.recentWindows(0, 100);
                listings.incrementAndGet();
            }
        });
        if (listing) {
            lister.start();
        }
        long slowest = 0;
        long t0 = System.nanoTime();
        for (int b = 0; b < 200; b++) {
            List<StoredResult> results = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                results.add(result("small" + i % 10 + ".bench.example", "192.0.2." + i % 50, List.of(), now, i));
            }
            long t = System.nanoTime();
            store.ingest(new IngestBatch(null, null, new byte[0], results, false, now));
            slowest = Math.max(slowest, System.nanoTime() - t);
        }
        long nanos = System.nanoTime() - t0;
        stop.set(true);
        if (listing) {
            lister.join();
        }
        System.out.printf(
                "200 batches of 100 %s: %.0f ms, slowest batch %.1f ms%n",
                listing ? "while listing (" + listings.get() + " listings ended)" : "alone",
                nanos / 1e6,
                slowest / 1e6);
    }

    private static StoredResult result(String domain, String ip, List<DkimAuth> dkim, Instant now, int index) {
        AggregateRow row = new AggregateRow(
                ip,
                domain,
                domain,
                ReportedDisposition.NONE,
                true,
                true,
                List.of(),
                dkim,
                new SpfAuth(domain, "mfrom", "pass"));
        return new StoredResult(
                null,
                ReportingWindows.windowFor(domain, now, 0),
                row,
                "v=DMARC1; p=none; rua=mailto:dmarc@" + domain,
                null,
                index);
    }
}
