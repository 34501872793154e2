package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Eight senders posting at the same moment for one domain: every counter ends exact.
 *
 * <p>scripts/test runs moto's server one request at a time (scripts/lib/moto_server_serialized.py):
 * moto is not thread-safe, and serialising gives it DynamoDB's per-operation atomicity while the
 * eight callers still interleave their claims, markers and counter updates freely.
 *
 * <p>The transactional path runs at a smaller scale: moto 5.2 deep-copies the whole table once
 * per <em>item</em> of every TransactWriteItems (to roll back), so a 100-item transaction costs
 * 100 table copies and 10,000 de-duplicated messages would take many minutes on moto alone.
 */
class ConcurrentIngestTest {

    private static final int THREADS = 8;
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final ReportingWindow WINDOW =
            new ReportingWindow("example.com", ReportingWindows.windowStart(NOW, 0));

    private MotoTables tables;
    private DynamoDbResultStore store;

    @BeforeEach
    void setUp() {
        tables = new MotoTables();
        // A fixed clock: with moto serving one request at a time, eight queued senders can take
        // longer than the ingest deadline, which real DynamoDB never comes near. The deadline
        // has its own test.
        store = tables.store(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        if (tables != null) {
            tables.close();
        }
    }

    @Test
    void eightSendersPostingTenThousandResultsForOneDomainGiveExactCounts() throws Exception {
        postConcurrently(5, 250, 50, false, false); // 8 x 5 x 250 = 10,000 results, 50 rows

        assertThat(tables.totalCount()).isEqualTo(10_000);
        assertThat(tables.counts("ROW#example.com#"))
                .hasSize(50)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(200L));
    }

    @Test
    void eightSendersWithDedupeAndIdempotencyKeysGiveExactCounts() throws Exception {
        postConcurrently(2, 50, 10, true, true); // 8 x 2 x 50 = 800 messages, 10 rows

        assertThat(tables.totalCount()).isEqualTo(800);
        assertThat(tables.counts("ROW#example.com#"))
                .hasSize(10)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(80L));
        assertThat(tables.reportItems("MSG#")).hasSize(800);
    }

    private void postConcurrently(int batchesPerSender, int batchSize, int rows, boolean dedupe, boolean withKey)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int sender = t;
            done.add(senders.submit(() -> {
                start.await();
                for (int b = 0; b < batchesPerSender; b++) {
                    List<StoredResult> results =
                            StoreFixtures.spread("s" + sender + "b" + b, WINDOW, batchSize, rows, NOW, false);
                    String key = withKey ? "sender-" + sender + "-batch-" + b : null;
                    IngestOutcome outcome =
                            store.ingest(new IngestBatch(key, new byte[] {'[', ']'}, results, dedupe, NOW));
                    assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
                    assertThat(((IngestOutcome.Stored) outcome).duplicateMessages())
                            .isZero();
                }
                return null;
            }));
        }
        start.countDown();
        try {
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            senders.shutdownNow();
        }
    }
}
