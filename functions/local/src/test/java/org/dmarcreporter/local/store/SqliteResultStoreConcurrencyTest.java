package org.dmarcreporter.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.local.store.StoreFixtures.batch;
import static org.dmarcreporter.local.store.StoreFixtures.result;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResultStoreConcurrencyTest {

    private static final int THREADS = 8;
    private static final int RESULTS_PER_THREAD = 1_250;
    private static final int BATCH = 25;

    @TempDir
    Path dataDir;

    @Test
    void eightWritersOfOneDomainCountExactlyTenThousand() throws Exception {
        Instant now = Instant.now();
        try (SqliteResultStore store = SqliteResultStore.open(dataDir, Clock.systemUTC(), Durability.FULL)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> duplicates = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                duplicates.add(pool.submit(() -> {
                    start.await();
                    int dups = 0;
                    for (int from = 0; from < RESULTS_PER_THREAD; from += BATCH) {
                        List<StoredResult> results = new ArrayList<>(BATCH);
                        for (int i = from; i < from + BATCH; i++) {
                            // every thread hits the same few rows, so the increments really collide
                            results.add(result("t" + thread + "-m" + i, "example.com", "192.0.2." + (i % 4), now));
                        }
                        IngestOutcome outcome = store.ingest(batch(now, results));
                        dups += ((IngestOutcome.Stored) outcome).duplicateMessages();
                    }
                    return dups;
                }));
            }
            start.countDown();
            for (Future<Integer> f : duplicates) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isZero();
            }
            pool.shutdown();
        }

        try (StoreContents contents = StoreContents.open(dataDir)) {
            assertThat(contents.totalCount("example.com")).isEqualTo(THREADS * RESULTS_PER_THREAD);
            assertThat(contents.counters()).isEqualTo(4);
            assertThat(contents.rows("message_ids")).isEqualTo(THREADS * RESULTS_PER_THREAD);
        }
    }
}
