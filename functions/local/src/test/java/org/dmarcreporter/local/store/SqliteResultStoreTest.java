package org.dmarcreporter.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.local.store.StoreFixtures.batch;
import static org.dmarcreporter.local.store.StoreFixtures.response;
import static org.dmarcreporter.local.store.StoreFixtures.result;
import static org.dmarcreporter.local.store.StoreFixtures.window;
import static org.dmarcreporter.local.store.StoreFixtures.withCandidate;
import static org.dmarcreporter.local.store.StoreFixtures.withRecord;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResultStoreTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    private static final String DOMAIN = "example.com";

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T0);
    private SqliteResultStore store;
    private StoreContents contents;

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);
        contents = StoreContents.open(dataDir);
    }

    @AfterEach
    void close() {
        contents.close();
        store.close();
    }

    @Test
    void aBatchCostsOneWritePerMessageMarkerDistinctRowAndWindow() {
        IngestOutcome outcome = store.ingest(batch(
                T0,
                List.of(
                        result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0),
                        result("m3", DOMAIN, "192.0.2.1", T0), result("m4", "example.net", "192.0.2.1", T0))));

        // 4 message markers + 2 rows + 2 windows
        assertThat(outcome).isEqualTo(new IngestOutcome.Stored(0, 8));
        assertThat(contents.rows("message_ids")).isEqualTo(4);
        assertThat(contents.counters()).isEqualTo(2);
        assertThat(contents.rows("report_windows")).isEqualTo(2);
    }

    @Test
    void aWindowEntryIsWrittenAgainOnlyWhenItsPolicyRecordChanged() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));

        // same window, same record: the row's counter only
        assertThat(store.ingest(batch(T0, List.of(result("m2", DOMAIN, "192.0.2.2", T0)))))
                .isEqualTo(new IngestOutcome.Stored(0, 2));
        // a new record: the entry is rewritten with it
        String changed = "v=DMARC1; p=reject; rua=mailto:agg@example.com";
        assertThat(store.ingest(batch(T0, List.of(withRecord(result("m3", DOMAIN, "192.0.2.2", T0), changed)))))
                .isEqualTo(new IngestOutcome.Stored(0, 3));
        assertThat(contents.windows().values()).containsExactly(changed);
    }

    @Test
    void aWindowEntryPurgedWhileItsWindowStillTakesResultsIsWrittenAgain() throws Exception {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
                Statement s = other.createStatement()) {
            s.executeUpdate("UPDATE report_windows SET expires_at = 0"); // as if its retention had passed
        }
        store.purgeExpired();
        assertThat(contents.rows("report_windows")).isZero();

        store.ingest(batch(T0, List.of(result("m2", DOMAIN, "192.0.2.1", T0))));

        assertThat(contents.rows("report_windows")).isEqualTo(1);
    }

    @Test
    void theReaderSeesWhatWasCommittedRefusesWritesAndCloseEndsIt() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.2", T0))));

        long rows = store.read(db -> {
            try (Statement s = db.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM message_ids")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(rows).isEqualTo(2);
        assertThatThrownBy(() -> store.read(db -> {
                    try (Statement s = db.createStatement()) {
                        return s.executeUpdate("DELETE FROM message_ids");
                    }
                }))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("readonly");
        assertThat(contents.rows("message_ids")).isEqualTo(2);

        store.close();
        assertThatThrownBy(() -> store.read(db -> 0))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void messageIdsSeenBeforeARestartAreStillDuplicatesAfterIt() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        store.close();
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);

        IngestOutcome outcome = store.ingest(batch(
                T0.plusSeconds(60),
                List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isEqualTo(1);
        assertThat(contents.totalCount()).isEqualTo(2);
    }

    @Test
    void messageIdsExpiredBeforeARestartAreNotLoadedAgain() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        store.close();
        Instant later = T0.plus(Retention.DEDUPE).plusSeconds(1);
        clock.set(later);
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);

        IngestOutcome outcome = store.ingest(batch(later, List.of(result("m1", DOMAIN, "192.0.2.1", later))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isZero();
    }

    @Test
    void aRolledBackBatchLeavesItsMessageIdsUnseenAndItsWindowEntryToBeWritten() throws Exception {
        // A result whose candidate JSON cannot be written makes the batch fail after its markers
        // were inserted; the retry must count those messages.
        refuseInserts("failure_candidates");
        StoredResult plain = result("m1", DOMAIN, "192.0.2.1", T0);
        StoredResult failing = withCandidate(result("m2", DOMAIN, "203.0.113.9", T0), "cand-1", T0);

        assertThatThrownBy(() -> store.ingest(batch(T0, List.of(plain, failing))))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(contents.totalCount()).isZero();
        assertThat(contents.rows("message_ids")).isZero();

        onOtherConnection("DROP TRIGGER refuse");
        IngestOutcome retry = store.ingest(batch(T0, List.of(plain, failing)));

        assertThat(((IngestOutcome.Stored) retry).duplicateMessages()).isZero();
        assertThat(contents.totalCount()).isEqualTo(2);
        assertThat(contents.candidateIds()).containsExactly("cand-1");
        assertThat(contents.rows("report_windows")).isEqualTo(1);
    }

    @Test
    void incrementsWaitInTheLogUntilABatchReachesTheFoldThresholdThenReportRowsHoldTheSums() {
        reopen(3);
        // two results of one row: one increment of 2
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0))));
        assertThat(contents.rows("row_log")).isEqualTo(1);
        assertThat(contents.rows("report_rows")).isZero();

        // 1 + 2 increments reach the threshold: this batch folds, its own increments too
        store.ingest(batch(T0, List.of(result("m3", DOMAIN, "192.0.2.1", T0), result("m4", DOMAIN, "192.0.2.2", T0))));

        assertThat(contents.rows("row_log")).isZero();
        // with the log empty, these are report_rows' counters (by row JSON: 192.0.2.1 first)
        assertThat(contents.counts(DOMAIN, window(DOMAIN, T0).start()).values()).containsExactly(3L, 1L);
        assertThat(contents.totalCount()).isEqualTo(4);
    }

    @Test
    void aBatchThatFailsAfterItsFoldUndoesTheFoldAndTheLogIsFoldedLater() throws Exception {
        reopen(2);
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        // a keyed batch stores its response last, after the fold
        refuseInserts("idempotency");

        assertThatThrownBy(() -> store.ingest(batch("key-1", "r", T0, List.of(result("m2", DOMAIN, "192.0.2.2", T0)))))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(contents.rows("row_log")).isEqualTo(1);
        assertThat(contents.rows("report_rows")).isZero();

        // the store still knows the log holds the first batch's increment
        store.fold(window(DOMAIN, T0));
        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.longValue("SELECT sum(count) FROM report_rows")).isEqualTo(1);
    }

    @Test
    void aFoldForAWindowWithNothingInTheLogLeavesTheLogAlone() {
        reopen(100);
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));

        store.fold(window("example.net", T0));
        assertThat(contents.rows("row_log")).isEqualTo(1);

        store.fold(window(DOMAIN, T0));
        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.longValue("SELECT sum(count) FROM report_rows")).isEqualTo(1);
    }

    @Test
    void aLogLeftByAStoppedProcessIsFoldedWhenTheStoreOpens() {
        reopen(100);
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.2", T0))));
        store.close();
        assertThat(contents.rows("row_log")).isEqualTo(2);

        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);

        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.rows("report_rows")).isEqualTo(2);
        assertThat(contents.totalCount()).isEqualTo(2);
    }

    @Test
    void purgeFoldsTheLogFirstSoExpiredIncrementsGoWithTheirRows() {
        reopen(100);
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        long windowStart = window(DOMAIN, T0).start();
        clock.set(Instant.ofEpochSecond(windowStart).plus(Retention.REPORT_DATA).plusSeconds(1));

        store.purgeExpired();

        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.rows("report_rows")).isZero();
    }

    @Test
    void aSchemaThreeDataFolderGainsTheRowLogAndKeepsItsCounters() throws Exception {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0))));
        store.close();
        try (Connection old =
                        DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteResultStore.FILE_NAME));
                Statement s = old.createStatement()) {
            s.executeUpdate("DROP TABLE row_log"); // as schema 3 wrote it
            s.executeUpdate("UPDATE schema_version SET version = 3");
        }

        reopen(100);
        store.ingest(batch(T0, List.of(result("m3", DOMAIN, "192.0.2.1", T0))));

        assertThat(contents.longValue("SELECT max(version) FROM schema_version"))
                .isEqualTo(SqliteResultStore.SCHEMA_VERSION)
                .isEqualTo(4);
        assertThat(contents.rows("row_log")).isEqualTo(1);
        assertThat(contents.counts(DOMAIN, window(DOMAIN, T0).start()).values()).containsExactly(3L);
    }

    /** Makes every insert into {@code table} fail (drop trigger "refuse" to undo). */
    private void refuseInserts(String table) throws Exception {
        onOtherConnection("CREATE TRIGGER refuse BEFORE INSERT ON " + table
                + " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    }

    private void onOtherConnection(String sql) throws Exception {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
                Statement s = other.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /** Every batch's increments to the log, folded at {@code foldAt}. */
    @Test
    void aBatchOverFewWindowsAddsToTheCountersAtOnceAndOneOverManyGoesToTheLog() {
        store.close();
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, new SqliteResultStore.RowWrites(2, 100));

        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.2", T0))));
        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.rows("report_rows")).isEqualTo(2);

        store.ingest(batch(
                T0, List.of(result("m3", DOMAIN, "192.0.2.1", T0), result("m4", "example.net", "192.0.2.1", T0))));
        assertThat(contents.rows("row_log")).isEqualTo(2);
        assertThat(contents.rows("report_rows")).isEqualTo(2);

        store.fold(null);
        assertThat(contents.rows("row_log")).isZero();
        assertThat(contents.counts(DOMAIN, window(DOMAIN, T0).start()).values()).containsExactly(2L, 1L);
        assertThat(contents.totalCount("example.net")).isEqualTo(1);
    }

    private void reopen(int foldAt) {
        store.close();
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, new SqliteResultStore.RowWrites(1, foldAt));
    }

    @Test
    void aSecondStoreOnTheSameFolderIsRefused() {
        assertThatThrownBy(() -> SqliteResultStore.open(dataDir, clock, Durability.FULL))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyDigestIsRefusedAndStoresNothing() {
        byte[] first = response("[{\"messageId\":\"m1\"}]");
        store.ingest(new IngestBatch(
                "key-1",
                "sha256:first",
                first,
                List.of(withCandidate(result("m1", DOMAIN, "192.0.2.1", T0), "c1", T0)),
                true,
                T0));
        long rows = contents.counters();

        IngestOutcome reused = store.ingest(new IngestBatch(
                "key-1",
                "sha256:second",
                response("other"),
                List.of(withCandidate(result("m2", DOMAIN, "192.0.2.9", T0), "c2", T0)),
                true,
                T0.plusSeconds(5)));
        IngestOutcome retry = store.ingest(new IngestBatch(
                "key-1",
                "sha256:first",
                response("again"),
                List.of(result("m1", DOMAIN, "192.0.2.1", T0)),
                true,
                T0.plusSeconds(10)));

        assertThat(reused).isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(((IngestOutcome.Replayed) retry).response()).isEqualTo(first);
        assertThat(contents.totalCount()).isEqualTo(1);
        assertThat(contents.counters()).isEqualTo(rows);
        assertThat(contents.candidateIds()).containsExactly("c1");
        assertThat(contents.hasMessageId("m2")).isFalse();
        assertThat(contents.longValue("SELECT count(*) FROM idempotency WHERE request_digest = 'sha256:first'"))
                .isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyIsBoundToItsDigestAcrossARestart() {
        store.ingest(new IngestBatch("key-1", "sha256:first", response("first"), List.of(), true, T0));
        store.close();

        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);

        assertThat(store.ingest(new IngestBatch("key-1", "sha256:second", response("x"), List.of(), true, T0)))
                .isInstanceOf(IngestOutcome.KeyReused.class);
    }

    /**
     * A data folder written before digests: the column is added on open, its keys are still
     * replayed (bound to no body), and new keys are bound to their digest.
     */
    @Test
    void aDataFolderFromBeforeRequestDigestsIsUpgradedInPlace() throws Exception {
        store.close();
        contents.close();
        Path oldDir = dataDir.resolve("old");
        java.nio.file.Files.createDirectories(oldDir);
        try (Connection old =
                        DriverManager.getConnection("jdbc:sqlite:" + oldDir.resolve(SqliteResultStore.FILE_NAME));
                Statement s = old.createStatement()) {
            s.executeUpdate("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.executeUpdate("INSERT INTO schema_version (version) VALUES (1)");
            s.executeUpdate("CREATE TABLE idempotency (key TEXT PRIMARY KEY, response BLOB NOT NULL,"
                    + " expires_at INTEGER NOT NULL)");
            s.executeUpdate("INSERT INTO idempotency (key, response, expires_at) VALUES ('old-key', x'6f6c64', "
                    + T0.plus(Retention.DEDUPE).getEpochSecond() + ")");
        }

        store = SqliteResultStore.open(oldDir, clock, Durability.FULL);
        contents = StoreContents.open(oldDir);

        assertThat(((IngestOutcome.Replayed) store.ingest(new IngestBatch(
                                "old-key",
                                "sha256:any",
                                response("new"),
                                List.of(result("m1", DOMAIN, "192.0.2.1", T0)),
                                true,
                                T0)))
                        .response())
                .isEqualTo(response("old"));
        store.ingest(new IngestBatch("new-key", "sha256:first", response("first"), List.of(), true, T0));
        assertThat(store.ingest(new IngestBatch("new-key", "sha256:second", response("x"), List.of(), true, T0)))
                .isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(contents.totalCount()).isZero();
        assertThat(contents.longValue("SELECT max(version) FROM schema_version"))
                .isEqualTo(SqliteResultStore.SCHEMA_VERSION);
    }

    @Test
    void purgeDeletesWhatExpiredAndKeepsTheRest() {
        StoredResult failing = withCandidate(result("m1", DOMAIN, "203.0.113.9", T0), "cand-1", T0);
        store.ingest(new IngestBatch("key-1", response("r"), List.of(failing), true, T0));
        long windowStart = window(DOMAIN, T0).start();

        assertThat(store.purgeExpired()).isZero();

        clock.set(T0.plus(Retention.DEDUPE).plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(2);
        assertThat(contents.rows("message_ids")).isZero();
        assertThat(contents.rows("idempotency")).isZero();
        assertThat(contents.counters()).isEqualTo(1);

        clock.set(T0.plus(Retention.FAILURE_CANDIDATE).plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(1);
        assertThat(contents.candidateIds()).isEmpty();
        assertThat(contents.rows("report_windows")).isEqualTo(1);

        clock.set(Instant.ofEpochSecond(windowStart).plus(Retention.REPORT_DATA).plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(2);
        assertThat(contents.counters()).isZero();
        assertThat(contents.rows("report_windows")).isZero();
    }

    @Test
    void purgeWorksThroughMoreRowsThanOneChunk() {
        List<StoredResult> results = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            results.add(result("m" + i, DOMAIN, "192.0.2.1", T0));
        }
        for (int from = 0; from < results.size(); from += 500) {
            store.ingest(batch(T0, results.subList(from, from + 500)));
        }
        clock.set(T0.plus(Retention.DEDUPE).plusSeconds(1));

        assertThat(store.purgeExpired()).isEqualTo(12_000);
        assertThat(contents.rows("message_ids")).isZero();
        assertThat(contents.totalCount()).isEqualTo(12_000);
    }

    @Test
    void aRecordedCutIsSeenAtOnceByThisProcessAndNeverMovesBack() {
        assertThat(store.latestCut(DOMAIN)).isZero();

        store.recordCut(DOMAIN, 3_000);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(3_000);

        store.recordCut(DOMAIN, 1_500);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(3_000);
        assertThat(contents.longValue("SELECT max(cut_at) FROM send_now_cuts WHERE policy_domain = ?", DOMAIN))
                .isEqualTo(3_000);
    }

    @Test
    void theLatestCutsOfEveryDomainAndOfAllDomainsAreReadBackOnReopen() {
        store.recordCut(DOMAIN, 3_000);
        store.recordCut(DOMAIN, 2_000);
        store.recordCut("other.example", 1_000);
        store.recordCut("*", 2_500);
        store.close();

        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);

        assertThat(store.latestCut(DOMAIN)).isEqualTo(3_000);
        assertThat(store.latestCut("other.example")).isEqualTo(2_500); // the "*" cut is later
        assertThat(store.latestCut("never-cut.example")).isEqualTo(2_500);
    }

    @Test
    void everythingSurvivesReopeningTheFile() {
        store.ingest(
                new IngestBatch("key-1", response("first"), List.of(result("m1", DOMAIN, "192.0.2.1", T0)), true, T0));
        store.recordCut(DOMAIN, 777);
        store.close();

        store = SqliteResultStore.open(dataDir, clock, Durability.NORMAL);

        assertThat(contents.totalCount()).isEqualTo(1);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(777);
        assertThat(((IngestOutcome.Replayed) store.ingest(batch("key-1", "x", T0, List.of()))).response())
                .isEqualTo(response("first"));
        IngestOutcome dup = store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        assertThat(((IngestOutcome.Stored) dup).duplicateMessages()).isEqualTo(1);
    }

    @Test
    void aClosedStoreAsksTheClientToRetry() {
        store.close();

        assertThatThrownBy(() -> store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0)))))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void aFileFromANewerSchemaIsRefused() throws Exception {
        store.close();
        try (Connection other =
                        DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteResultStore.FILE_NAME));
                Statement s = other.createStatement()) {
            s.executeUpdate(
                    "INSERT INTO schema_version (version) VALUES (" + (SqliteResultStore.SCHEMA_VERSION + 1) + ")");
        }

        assertThatThrownBy(() -> SqliteResultStore.open(dataDir, clock, Durability.FULL))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("newer version");
    }
}
