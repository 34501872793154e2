package org.dmarcreporter.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.local.store.StoreFixtures.batch;
import static org.dmarcreporter.local.store.StoreFixtures.row;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.run.DeliveryState;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.ReportedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.RowPage;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteReportLedgerTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    private static final long MIDNIGHT = Instant.parse("2026-06-01T00:00:00Z").getEpochSecond();
    private static final long DAY = 86_400;
    private static final String DOMAIN = "example.com";

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T0);
    private SqliteResultStore store;
    private SqliteReportLedger ledger;
    private StoreContents contents;

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);
        ledger = new SqliteReportLedger(store);
        contents = StoreContents.open(dataDir);
    }

    @AfterEach
    void close() {
        contents.close();
        store.close();
    }

    /** A result whose window is chosen as IngestService does: before the store's lock, with the cut it read. */
    private StoredResult result(String messageId, String domain, String ip, long cut) {
        ReportingWindow w = ReportingWindows.windowFor(domain, clock.instant(), cut);
        return new StoredResult(messageId, w, row(ip, domain), StoreFixtures.RECORD, null, 0);
    }

    private Map<String, Long> rowsOf(ReportingWindow w) {
        List<CountedRow> rows = new ArrayList<>();
        String token = null;
        do {
            RowPage page = ledger.rows(w, token, 2);
            rows.addAll(page.rows());
            token = page.nextPageToken();
        } while (token != null);
        return rows.stream().collect(Collectors.toMap(r -> r.row().sourceIp(), CountedRow::count));
    }

    @Test
    void aCutTakesEffectAtOnceForEveryBatchCommittedAfterIt() {
        long before = store.latestCut(DOMAIN); // 0
        store.ingest(batch(clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", before))));
        // chosen before the cut, stored after it: a request evaluated while send-now writes its cut
        StoredResult raced = result("m2", DOMAIN, "192.0.2.2", before);
        clock.advance(Duration.ofSeconds(5));
        long cut = clock.instant().getEpochSecond();

        ledger.writeCut(DOMAIN, cut);
        store.ingest(batch(clock.instant(), List.of(raced)));
        clock.advance(Duration.ofSeconds(1));
        store.ingest(batch(clock.instant(), List.of(result("m3", DOMAIN, "192.0.2.3", store.latestCut(DOMAIN)))));

        ReportingWindow cutWindow = new ReportingWindow(DOMAIN, MIDNIGHT);
        ReportingWindow next = new ReportingWindow(DOMAIN, cut);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(cut);
        assertThat(rowsOf(cutWindow)).isEqualTo(Map.of("192.0.2.1", 1L));
        assertThat(rowsOf(next)).isEqualTo(Map.of("192.0.2.2", 1L, "192.0.2.3", 1L));
        assertThat(ledger.unreportedWindows(DOMAIN, null, 10).windows())
                .extracting(IndexedWindow::window)
                .containsExactly(cutWindow, next);
        assertThat(ledger.cuts(DOMAIN)).containsExactly(cut);
    }

    @Test
    void aCutForAllDomainsMovesEveryDomainsLaterBatches() {
        StoredResult raced = result("m1", "example.org", "192.0.2.1", 0);
        long cut = T0.getEpochSecond();
        ledger.writeCut(null, cut);
        clock.advance(Duration.ofSeconds(1));
        store.ingest(batch(clock.instant(), List.of(raced, result("m2", DOMAIN, "192.0.2.2", 0))));

        assertThat(rowsOf(new ReportingWindow("example.org", cut))).isEqualTo(Map.of("192.0.2.1", 1L));
        assertThat(rowsOf(new ReportingWindow(DOMAIN, cut))).isEqualTo(Map.of("192.0.2.2", 1L));
        assertThat(contents.rows("report_windows")).isEqualTo(2);
        assertThat(ledger.cuts("example.net")).containsExactly(cut);
    }

    @Test
    void aCutInTheFutureIsNotInForceBeforeItsTime() {
        long cut = T0.getEpochSecond() + 3_600;
        ledger.writeCut(DOMAIN, cut);
        store.ingest(batch(clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0))));

        assertThat(rowsOf(new ReportingWindow(DOMAIN, MIDNIGHT))).isEqualTo(Map.of("192.0.2.1", 1L));
    }

    @Test
    void cutsAreKeptInOrderBackToTheRetentionOnly() {
        long now = T0.getEpochSecond();
        store.recordCut(DOMAIN, now - 15 * DAY); // older than Retention.REPORT_DATA
        store.recordCut(DOMAIN, now - 2 * DAY);
        store.recordCut("*", now - DAY);
        store.recordCut(DOMAIN, now - 100);
        store.recordCut(DOMAIN, now - 100); // the same cut twice is one cut

        assertThat(ledger.cuts(DOMAIN)).containsExactly(now - 2 * DAY, now - DAY, now - 100);
        assertThat(store.purgeExpired()).isEqualTo(1);
        assertThat(contents.rows("send_now_cuts")).isEqualTo(3);
    }

    @Test
    void markingReportedMovesTheWindowFromTheIndexToTheMarkerInOneTransaction() {
        store.ingest(batch(clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0))));
        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);
        ReportedWindow marker = new ReportedWindow("r1", MIDNIGHT, MIDNIGHT + DAY - 1, T0.getEpochSecond(), "reported");

        assertThat(ledger.markReported(w, marker)).isTrue();

        assertThat(contents.rows("report_windows")).isZero();
        assertThat(contents.longValue("SELECT count(*) FROM reported_windows WHERE report_id = 'r1'"))
                .isEqualTo(1);
        assertThat(ledger.markReported(w, new ReportedWindow("r2", 1, 2, 3, "again")))
                .isFalse();
        assertThat(ledger.reported(w)).contains(marker);
        assertThat(ledger.unreportedWindows(null, null, 10).windows()).isEmpty();
    }

    @Test
    void aResultForAWindowAlreadyReportedPutsTheWindowBackInTheIndex() {
        store.ingest(batch(clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0))));
        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);
        ledger.markReported(w, new ReportedWindow("r1", MIDNIGHT, MIDNIGHT + DAY - 1, T0.getEpochSecond(), "reported"));

        store.ingest(batch(clock.instant(), List.of(result("m2", DOMAIN, "192.0.2.2", 0))));

        assertThat(contents.windows()).containsOnlyKeys(DOMAIN + "@" + MIDNIGHT);
        assertThat(ledger.unreportedWindows(null, null, 10).windows()).hasSize(1);
    }

    @Test
    void aBatchStampedBeforeMidnightAndCommittedAfterTheRunReadTheWindowCountsInTheNextWindow() {
        ReportingWindow yesterday = new ReportingWindow(DOMAIN, MIDNIGHT);
        ReportingWindow today = new ReportingWindow(DOMAIN, MIDNIGHT + DAY);
        store.ingest(batch(clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0))));
        clock.set(Instant.ofEpochSecond(MIDNIGHT + DAY - 1));
        Instant stampedAt = clock.instant();
        StoredResult raced = result("m2", DOMAIN, "192.0.2.2", 0); // chosen at 23:59:59, before the lock
        // the scheduled run, 5 s after midnight: reads yesterday's window and marks it reported
        clock.set(Instant.ofEpochSecond(MIDNIGHT + DAY + 5));
        assertThat(rowsOf(yesterday)).isEqualTo(Map.of("192.0.2.1", 1L));
        ledger.markReported(
                yesterday, new ReportedWindow("r1", MIDNIGHT, MIDNIGHT + DAY - 1, MIDNIGHT + DAY + 5, "reported"));

        clock.advance(Duration.ofSeconds(1));
        store.ingest(batch(stampedAt, List.of(raced)));

        assertThat(rowsOf(yesterday)).isEqualTo(Map.of("192.0.2.1", 1L));
        assertThat(rowsOf(today)).isEqualTo(Map.of("192.0.2.2", 1L));
        assertThat(ledger.unreportedWindows(DOMAIN, null, 10).windows())
                .extracting(IndexedWindow::window)
                .containsExactly(today);
    }

    @Test
    void aBatchStampedBeforeACutAndCommittedAfterMidnightCountsInTheWindowOpenAtCommit() {
        long cut = T0.getEpochSecond();
        ledger.writeCut(DOMAIN, cut);
        clock.set(Instant.ofEpochSecond(MIDNIGHT + DAY - 1));
        Instant stampedAt = clock.instant();
        StoredResult raced = result("m1", DOMAIN, "192.0.2.1", cut); // in the window the cut started
        clock.set(Instant.ofEpochSecond(MIDNIGHT + DAY + 1));

        store.ingest(batch(stampedAt, List.of(raced)));

        assertThat(rowsOf(new ReportingWindow(DOMAIN, cut))).isEmpty();
        assertThat(rowsOf(new ReportingWindow(DOMAIN, MIDNIGHT + DAY))).isEqualTo(Map.of("192.0.2.1", 1L));
    }

    @Test
    void theEarliestRetryIsThatOfAFailedRecipientOfAnUnreportedWindowAfterTheGivenTime() {
        long now = T0.getEpochSecond();
        ReportingWindow open = new ReportingWindow(DOMAIN, MIDNIGHT);
        ReportingWindow done = new ReportingWindow("example.org", MIDNIGHT);
        assertThat(ledger.earliestRetryAfter(now)).isEmpty();
        ledger.recordDelivery(open, "a@example.com", new DeliveryState.Failed("451", 1, now + 900));
        ledger.recordDelivery(open, "b@example.com", new DeliveryState.Failed("451", 2, now - 60));
        ledger.recordDelivery(open, "c@example.com", new DeliveryState.Sent(now, 1));
        ledger.recordDelivery(open, "d@example.com", new DeliveryState.GivenUp("550", 1));
        ledger.recordDelivery(done, "e@example.org", new DeliveryState.Failed("451", 1, now + 300));
        ledger.markReported(done, new ReportedWindow("r1", MIDNIGHT, MIDNIGHT + DAY - 1, now, "not-sent: x"));

        assertThat(ledger.earliestRetryAfter(now)).hasValue(now + 900);
        assertThat(ledger.earliestRetryAfter(now - 120)).hasValue(now - 60);
        assertThat(ledger.earliestRetryAfter(now + 900)).isEmpty();
    }

    @Test
    void concurrentLedgerWritesAreAllStoredAndLeaveTheStoreSyncingEveryCommit() throws Exception {
        int windows = 40;
        List<ReportingWindow> all = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            String domain = "d" + i + ".example";
            store.ingest(batch(clock.instant(), List.of(result("m" + i, domain, "192.0.2.1", 0))));
            all.add(new ReportingWindow(domain, MIDNIGHT));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Boolean>> marked = new ArrayList<>();
        for (ReportingWindow w : all) {
            marked.add(pool.submit(() -> {
                ledger.recordDelivery(w, "dmarc@" + w.policyDomain(), new DeliveryState.Sent(T0.getEpochSecond(), 1));
                return ledger.markReported(
                        w, new ReportedWindow("id-" + w.policyDomain(), MIDNIGHT, MIDNIGHT + 99, 1, "reported"));
            }));
        }
        for (var f : marked) {
            assertThat(f.get()).isTrue();
        }
        pool.shutdown();

        for (ReportingWindow w : all) {
            assertThat(ledger.deliveries(w))
                    .containsExactly(
                            Map.entry("dmarc@" + w.policyDomain(), new DeliveryState.Sent(T0.getEpochSecond(), 1)));
            assertThat(ledger.reported(w).orElseThrow().reportId()).isEqualTo("id-" + w.policyDomain());
        }
        assertThat(ledger.unreportedWindows(null, null, 100).windows()).isEmpty();
        // the ledger writes commit at NORMAL and sync the WAL themselves; ingest must still be FULL (2)
        int synchronous = store.withLock(() -> {
            try (var q = store.connection().createStatement();
                    var rs = q.executeQuery("PRAGMA synchronous")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(synchronous).isEqualTo(2);
    }

    @Test
    void pageSizesAndTokensAreChecked() {
        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);
        assertThatThrownBy(() -> ledger.unreportedWindows(null, null, ReportLedger.MAX_PAGE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.rows(w, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.rows(w, "not-a-token", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.unreportedWindows(null, "s1.!!", 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recentWindowsListsPendingAndReportedWindowsNewestFirstWithTheirRecipients() {
        long now = T0.getEpochSecond();
        // yesterday: example.com reported, example.org pending; today: example.com pending
        clock.set(T0.minusSeconds(DAY));
        store.ingest(batch(
                clock.instant(),
                List.of(
                        result("m1", DOMAIN, "192.0.2.1", 0),
                        result("m2", "example.org", "192.0.2.1", 0),
                        result("m3", "example.org", "192.0.2.2", 0),
                        result("m4", "example.org", "192.0.2.2", 0))));
        clock.set(T0);
        store.ingest(batch(
                clock.instant(), List.of(result("m5", DOMAIN, "192.0.2.1", 0), result("m6", DOMAIN, "192.0.2.1", 0))));
        ReportingWindow reported = new ReportingWindow(DOMAIN, MIDNIGHT - DAY);
        ledger.recordDelivery(reported, "agg@example.com", new DeliveryState.Sent(now - 100, 1));
        ledger.recordDelivery(reported, "copy@reporter.example", new DeliveryState.GivenUp("550 no", 2));
        ledger.markReported(reported, new ReportedWindow("r-1", MIDNIGHT - DAY, MIDNIGHT - 1, now - 90, "reported"));
        ReportingWindow pendingOrg = new ReportingWindow("example.org", MIDNIGHT - DAY);
        ledger.recordDelivery(pendingOrg, "dmarc@example.org", new DeliveryState.Failed("451 later", 1, now + 900));
        // an old window, before `since`
        clock.set(T0.minusSeconds(5 * DAY));
        store.ingest(batch(clock.instant(), List.of(result("m7", DOMAIN, "192.0.2.9", 0))));
        clock.set(T0);

        List<WindowListing> listed = ledger.recentWindows(MIDNIGHT - DAY, 10);

        assertThat(listed)
                .containsExactly(
                        new WindowListing(DOMAIN, MIDNIGHT, "pending", 1L, 2L, null, null, null, List.of()),
                        new WindowListing(
                                DOMAIN,
                                MIDNIGHT - DAY,
                                "reported",
                                null,
                                null,
                                "r-1",
                                "reported",
                                now - 90,
                                List.of(
                                        new WindowListing.Recipient(
                                                "agg@example.com", "sent", null, 1, now - 100, null),
                                        new WindowListing.Recipient(
                                                "copy@reporter.example", "given-up", "550 no", 2, null, null))),
                        new WindowListing(
                                "example.org",
                                MIDNIGHT - DAY,
                                "pending",
                                2L,
                                3L,
                                null,
                                null,
                                null,
                                List.of(new WindowListing.Recipient(
                                        "dmarc@example.org", "failed", "451 later", 1, null, now + 900))));
        assertThat(ledger.recentWindows(MIDNIGHT - DAY, 2))
                .extracting(WindowListing::domain, WindowListing::windowStart)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple(DOMAIN, MIDNIGHT),
                        org.assertj.core.api.Assertions.tuple(DOMAIN, MIDNIGHT - DAY));
        assertThat(ledger.recentWindows(0, 10)).hasSize(4);
    }

    @Test
    void rowsAndTheListingCountIncrementsFoldedAndStillInTheLog() {
        store.close();
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, new SqliteResultStore.RowWrites(1, 2));
        ledger = new SqliteReportLedger(store);
        // two increments reach the threshold and are folded by their own batch; then one more
        // for a folded row stays in the log
        store.ingest(batch(
                clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0), result("m2", DOMAIN, "192.0.2.2", 0))));
        store.ingest(batch(clock.instant(), List.of(result("m3", DOMAIN, "192.0.2.1", 0))));
        assertThat(contents.rows("row_log")).isEqualTo(1);
        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);

        assertThat(ledger.recentWindows(0, 10))
                .containsExactly(new WindowListing(DOMAIN, MIDNIGHT, "pending", 2L, 3L, null, null, null, List.of()));
        // and one for a new row, in the log when the rows are read
        store.ingest(batch(clock.instant(), List.of(result("m4", DOMAIN, "192.0.2.3", 0))));
        assertThat(contents.rows("row_log")).isEqualTo(1);
        assertThat(rowsOf(w))
                .containsOnly(Map.entry("192.0.2.1", 2L), Map.entry("192.0.2.2", 1L), Map.entry("192.0.2.3", 1L));
        assertThat(contents.rows("row_log")).isZero();
    }

    @Test
    void aListingCountsWithoutWaitingForTheWriterLockThatIngestHolds() throws Exception {
        store.ingest(batch(
                clock.instant(), List.of(result("m1", DOMAIN, "192.0.2.1", 0), result("m2", DOMAIN, "192.0.2.2", 0))));
        // A batch over one window adds to report_rows directly, so the row log is empty and the
        // listing has nothing to fold under the lock; its counting never takes the lock.
        assertThat(contents.rows("row_log")).isZero();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> store.withLock(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        writer.start();
        try {
            assertThat(held.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            List<WindowListing> listed = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(5), () -> ledger.recentWindows(0, 10));

            assertThat(listed)
                    .containsExactly(
                            new WindowListing(DOMAIN, MIDNIGHT, "pending", 2L, 2L, null, null, null, List.of()));
        } finally {
            release.countDown();
            writer.join();
        }
    }

    @Test
    void aSchemaOneDataFolderOpensWithItsDataAndCutHistoryStartsFromItsLatestCut() throws Exception {
        store.close();
        contents.close();
        Path old = dataDir.resolve("v1");
        long cut = MIDNIGHT + 3_600;
        String rowJson = StoredJson.rowJson(row("192.0.2.7", DOMAIN));
        java.nio.file.Files.createDirectories(old);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(SqliteResultStore.FILE_NAME));
                Statement s = db.createStatement()) {
            for (String ddl : SCHEMA_1) {
                s.executeUpdate(ddl);
            }
            s.executeUpdate("INSERT INTO schema_version (version) VALUES (1)");
            s.executeUpdate("INSERT INTO report_rows VALUES ('example.com', " + MIDNIGHT + ", 'k1', '"
                    + rowJson.replace("'", "''") + "', 41, " + (MIDNIGHT + 14 * DAY) + ")");
            s.executeUpdate("INSERT INTO report_windows VALUES ('example.com', " + MIDNIGHT
                    + ", 'v=DMARC1; p=none', 1, " + (MIDNIGHT + 14 * DAY) + ", NULL)");
            s.executeUpdate("INSERT INTO send_now_cuts VALUES ('example.com', " + cut + ")");
            s.executeUpdate("INSERT INTO send_now_cuts VALUES ('*', " + (cut - 60) + ")");
            s.executeUpdate("INSERT INTO idempotency (key, response, expires_at) VALUES ('k', x'7b7d', "
                    + (T0.getEpochSecond() + 3_600) + ")");
        }

        store = SqliteResultStore.open(old, clock, Durability.FULL);
        ledger = new SqliteReportLedger(store);
        contents = StoreContents.open(old);

        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);
        assertThat(contents.longValue("SELECT max(version) FROM schema_version"))
                .isEqualTo(SqliteResultStore.SCHEMA_VERSION);
        assertThat(ledger.unreportedWindows(null, null, 10).windows())
                .containsExactly(new IndexedWindow(w, "v=DMARC1; p=none"));
        assertThat(ledger.rows(w, null, 10).rows()).containsExactly(new CountedRow(row("192.0.2.7", DOMAIN), 41));
        assertThat(ledger.cuts(DOMAIN)).containsExactly(cut - 60, cut);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(cut);
        assertThat(ledger.recentWindows(0, 10))
                .containsExactly(new WindowListing(DOMAIN, MIDNIGHT, "pending", 1L, 41L, null, null, null, List.of()));
        // and the history goes on: a second cut keeps the first
        ledger.writeCut(DOMAIN, cut + 60);
        assertThat(ledger.cuts(DOMAIN)).containsExactly(cut - 60, cut, cut + 60);
        assertThat(((org.dmarcreporter.core.store.IngestOutcome.Replayed)
                                store.ingest(StoreFixtures.batch("k", "ignored", T0, List.of())))
                        .response())
                .isEqualTo(new byte[] {'{', '}'});

        store.close(); // reopening a migrated folder changes nothing
        store = SqliteResultStore.open(old, clock, Durability.FULL);
        ledger = new SqliteReportLedger(store);
        assertThat(ledger.cuts(DOMAIN)).containsExactly(cut - 60, cut, cut + 60);
        assertThat(ledger.rows(w, null, 10).rows()).hasSize(1);
    }

    @Test
    void aSchemaTwoDataFolderKeepsItsCountersKeyedByTheirJsonAndMergesCountersOfOneRow() throws Exception {
        store.close();
        contents.close();
        Path old = dataDir.resolve("v2");
        String a = StoredJson.rowJson(row("192.0.2.7", DOMAIN));
        String b = StoredJson.rowJson(row("192.0.2.8", DOMAIN));
        java.nio.file.Files.createDirectories(old);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(SqliteResultStore.FILE_NAME));
                Statement s = db.createStatement()) {
            s.executeUpdate("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.executeUpdate("INSERT INTO schema_version (version) VALUES (2)");
            s.executeUpdate(
                    "CREATE TABLE report_rows (window_start INTEGER NOT NULL, policy_domain TEXT NOT NULL,"
                            + " row_key TEXT NOT NULL, row_json TEXT NOT NULL, count INTEGER NOT NULL,"
                            + " expires_at INTEGER NOT NULL, PRIMARY KEY (window_start, policy_domain, row_key)) WITHOUT ROWID");
            s.executeUpdate(
                    "CREATE TABLE report_windows (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                            + " policy_record TEXT NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                            + " reported_at INTEGER, row_count INTEGER NOT NULL DEFAULT 0,"
                            + " message_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (policy_domain, window_start)) WITHOUT ROWID");
            long expires = MIDNIGHT + 14 * DAY;
            // two counters of one row (keys written by different versions), and another row
            s.executeUpdate("INSERT INTO report_rows VALUES (" + MIDNIGHT + ", 'example.com', 'k1', '" + a + "', 40, "
                    + expires + ")");
            s.executeUpdate("INSERT INTO report_rows VALUES (" + MIDNIGHT + ", 'example.com', 'k1-old', '" + a
                    + "', 2, " + expires + ")");
            s.executeUpdate("INSERT INTO report_rows VALUES (" + MIDNIGHT + ", 'example.com', 'k2', '" + b + "', 5, "
                    + expires + ")");
            s.executeUpdate("INSERT INTO report_windows VALUES ('example.com', " + MIDNIGHT
                    + ", 'v=DMARC1; p=none', 1, " + expires + ", NULL, 3, 47)");
        }

        store = SqliteResultStore.open(old, clock, Durability.FULL);
        ledger = new SqliteReportLedger(store);
        contents = StoreContents.open(old);

        ReportingWindow w = new ReportingWindow(DOMAIN, MIDNIGHT);
        assertThat(contents.longValue("SELECT max(version) FROM schema_version"))
                .isEqualTo(SqliteResultStore.SCHEMA_VERSION);
        assertThat(contents.counts(DOMAIN, MIDNIGHT)).containsExactly(Map.entry(a, 42L), Map.entry(b, 5L));
        assertThat(ledger.rows(w, null, 10).rows())
                .containsExactly(
                        new CountedRow(row("192.0.2.7", DOMAIN), 42), new CountedRow(row("192.0.2.8", DOMAIN), 5));
        assertThat(ledger.recentWindows(0, 10))
                .containsExactly(new WindowListing(DOMAIN, MIDNIGHT, "pending", 2L, 47L, null, null, null, List.of()));
        // a result of the first row adds to its one counter
        store.ingest(batch(T0, List.of(result("m9", DOMAIN, "192.0.2.7", 0))));
        assertThat(contents.counts(DOMAIN, MIDNIGHT)).containsEntry(a, 43L).hasSize(2);
    }

    /** The tables of schema 1 as released (before request_digest was added to idempotency). */
    private static final List<String> SCHEMA_1 = List.of(
            "CREATE TABLE schema_version (version INTEGER NOT NULL)",
            "CREATE TABLE idempotency (key TEXT PRIMARY KEY, response BLOB NOT NULL, expires_at INTEGER NOT NULL)",
            "CREATE INDEX idempotency_expiry ON idempotency (expires_at)",
            "CREATE TABLE message_ids (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL,"
                    + " id_hash BLOB NOT NULL, expires_at INTEGER NOT NULL)",
            "CREATE INDEX message_ids_expiry ON message_ids (expires_at)",
            "CREATE TABLE report_rows (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " row_key TEXT NOT NULL, row_json TEXT NOT NULL, count INTEGER NOT NULL,"
                    + " expires_at INTEGER NOT NULL, PRIMARY KEY (policy_domain, window_start, row_key)) WITHOUT ROWID",
            "CREATE INDEX report_rows_expiry ON report_rows (expires_at)",
            "CREATE TABLE report_windows (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " policy_record TEXT NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                    + " reported_at INTEGER, PRIMARY KEY (policy_domain, window_start)) WITHOUT ROWID",
            "CREATE INDEX report_windows_expiry ON report_windows (expires_at)",
            "CREATE TABLE send_now_cuts (policy_domain TEXT PRIMARY KEY, cut_at INTEGER NOT NULL) WITHOUT ROWID",
            "CREATE TABLE failure_candidates (id TEXT PRIMARY KEY, policy_domain TEXT NOT NULL,"
                    + " candidate_json TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                    + " sent_at INTEGER)",
            "CREATE INDEX failure_candidates_expiry ON failure_candidates (expires_at)");
}
