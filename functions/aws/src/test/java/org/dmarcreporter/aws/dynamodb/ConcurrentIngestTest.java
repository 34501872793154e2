package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Eight senders posting 10,000 results for one domain at the same moment: every counter ends
 * exact, on the plain UpdateItem path and on the transactional path with de-dup and keys.
 * Requests reach moto one at a time ({@link SerializingHttpClient}: moto is not thread-safe),
 * which gives it DynamoDB's per-operation atomicity; the eight callers still interleave freely.
 */
class ConcurrentIngestTest {

    private static final int THREADS = 8;
    private static final int BATCHES_PER_THREAD = 5;
    private static final int BATCH = 250;
    private static final int ROWS = 50;
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final int TOTAL = THREADS * BATCHES_PER_THREAD * BATCH;

    private MotoTables tables;
    private DynamoDbResultStore store;

    @BeforeEach
    void setUp() {
        tables = new MotoTables(true);
        // A fixed clock: moto copies the whole table for every transaction and here serves one
        // request at a time, so eight queued senders can take longer than the ingest deadline,
        // which real DynamoDB never comes near. The deadline has its own test.
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

    @ParameterizedTest(name = "dedupeMessageIds={0}, Idempotency-Key={1}")
    @CsvSource({"false, false", "true, true"})
    void eightSendersPostingTenThousandResultsForOneDomainGiveExactCounts(boolean dedupe, boolean withKey)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int sender = t;
            done.add(senders.submit(() -> {
                start.await();
                for (int b = 0; b < BATCHES_PER_THREAD; b++) {
                    Instant now = NOW;
                    ReportingWindow window = new ReportingWindow("example.com", ReportingWindows.windowStart(now, 0));
                    List<StoredResult> results = StoreFixtures.spread("s" + sender + "b" + b, window, BATCH, ROWS,
                            now, false);
                    String key = withKey ? "sender-" + sender + "-batch-" + b : null;
                    IngestOutcome outcome = store.ingest(new IngestBatch(key, new byte[] {'[', ']'}, results, dedupe, now));
                    assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
                    assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isZero();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        senders.shutdown();

        assertThat(tables.totalCount()).isEqualTo(TOTAL);
        Map<String, Long> counts = tables.counts("ROW#example.com#");
        assertThat(counts).hasSize(ROWS).allSatisfy((row, count) -> assertThat(count).isEqualTo((long) TOTAL / ROWS));
    }
}
