package org.dmarcreporter.local.store;

import org.dmarcreporter.core.window.WindowTiming;
import org.dmarcreporter.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.local.store.StoreFixtures.batch;
import static org.dmarcreporter.local.store.StoreFixtures.response;
import static org.dmarcreporter.local.store.StoreFixtures.result;
import static org.dmarcreporter.local.store.StoreFixtures.row;
import static org.dmarcreporter.local.store.StoreFixtures.window;
import static org.dmarcreporter.local.store.StoreFixtures.withCandidate;
import static org.dmarcreporter.local.store.StoreFixtures.withRecord;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResultStoreTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    private static final String DOMAIN = "example.com";
    private static final Duration CUT_CACHE = Duration.ofMillis(300);

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(T0);
    private SqliteResultStore store;
    private StoreContents contents;

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, CUT_CACHE);
        contents = StoreContents.open(dataDir);
    }

    @AfterEach
    void close() {
        contents.close();
        store.close();
    }

    @Test
    void countsAddUpAcrossBatchesInsteadOfBeingOverwritten() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0),
                result("m3", DOMAIN, "192.0.2.1", T0))));
        store.ingest(batch(T0, List.of(result("m4", DOMAIN, "192.0.2.1", T0), result("m5", DOMAIN, "192.0.2.1", T0),
                result("m6", DOMAIN, "192.0.2.2", T0))));

        ReportingWindow w = window(DOMAIN, T0);
        assertThat(contents.counts(DOMAIN, w.start())).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                row("192.0.2.1", DOMAIN).key(), 5L,
                row("192.0.2.2", DOMAIN).key(), 1L));
    }

    @Test
    void resultsOfABatchThatShareARowAreWrittenAsOneIncrement() {
        IngestOutcome outcome = store.ingest(batch(T0, List.of(
                result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0),
                result("m3", DOMAIN, "192.0.2.1", T0), result("m4", "example.net", "192.0.2.1", T0))));

        // 4 message markers + 2 rows + 2 windows
        assertThat(outcome).isEqualTo(new IngestOutcome.Stored(0, 8));
        assertThat(contents.rows("report_rows")).isEqualTo(2);
        assertThat(contents.totalCount(DOMAIN)).isEqualTo(3);
        assertThat(contents.totalCount("example.net")).isEqualTo(1);
    }

    @Test
    void aRowIsStoredAsJsonThatReadsBackToTheSameRow() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "2001:db8::7", T0))));

        String json = contents.rowJson(DOMAIN, window(DOMAIN, T0).start()).get(row("2001:db8::7", DOMAIN).key());
        assertThat(StoredJson.row(json)).isEqualTo(row("2001:db8::7", DOMAIN));
    }

    @Test
    void aMessageIdStoredBeforeIsCountedOnce() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m2", DOMAIN, "192.0.2.1", T0))));
        IngestOutcome second = store.ingest(batch(T0, List.of(result("m2", DOMAIN, "192.0.2.1", T0),
                result("m3", DOMAIN, "192.0.2.1", T0))));

        assertThat(((IngestOutcome.Stored) second).duplicateMessages()).isEqualTo(1);
        assertThat(contents.totalCount()).isEqualTo(3);
    }

    @Test
    void aMessageIdRepeatedWithinOneBatchIsCountedOnce() {
        IngestOutcome outcome = store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0),
                result("m1", DOMAIN, "192.0.2.1", T0), result("m1", DOMAIN, "192.0.2.9", T0))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isEqualTo(2);
        assertThat(contents.totalCount()).isEqualTo(1);
        assertThat(contents.counts(DOMAIN, window(DOMAIN, T0).start())).containsOnlyKeys(row("192.0.2.1", DOMAIN).key());
    }

    @Test
    void resultsWithoutMessageIdAreNeverDuplicates() {
        store.ingest(batch(T0, List.of(result(null, DOMAIN, "192.0.2.1", T0), result(null, DOMAIN, "192.0.2.1", T0))));

        assertThat(contents.totalCount()).isEqualTo(2);
        assertThat(contents.rows("message_ids")).isZero();
    }

    @Test
    void withDedupeOffEveryResultCountsAndNoMarkerIsWritten() {
        List<StoredResult> results = List.of(result("m1", DOMAIN, "192.0.2.1", T0), result("m1", DOMAIN, "192.0.2.1", T0));
        store.ingest(new IngestBatch(null, response("[]"), results, false, T0));
        store.ingest(new IngestBatch(null, response("[]"), results, false, T0));

        assertThat(contents.totalCount()).isEqualTo(4);
        assertThat(contents.rows("message_ids")).isZero();
    }

    @Test
    void aMessageIdCountsAgainOnceItsMarkerExpiredEvenBeforeThePurge() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        Instant later = T0.plus(Retention.DEDUPE).plusSeconds(1);

        IngestOutcome outcome = store.ingest(batch(later, List.of(result("m1", DOMAIN, "192.0.2.1", later))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isZero();
        assertThat(contents.totalCount()).isEqualTo(2);
        IngestOutcome again = store.ingest(batch(later, List.of(result("m1", DOMAIN, "192.0.2.1", later))));
        assertThat(((IngestOutcome.Stored) again).duplicateMessages()).isEqualTo(1);
    }

    @Test
    void messageIdsSeenBeforeARestartAreStillDuplicatesAfterIt() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        store.close();
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, CUT_CACHE);

        IngestOutcome outcome = store.ingest(batch(T0.plusSeconds(60), List.of(result("m1", DOMAIN, "192.0.2.1", T0),
                result("m2", DOMAIN, "192.0.2.1", T0))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isEqualTo(1);
        assertThat(contents.totalCount()).isEqualTo(2);
    }

    @Test
    void messageIdsExpiredBeforeARestartAreNotLoadedAgain() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        store.close();
        Instant later = T0.plus(Retention.DEDUPE).plusSeconds(1);
        clock.set(later);
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, CUT_CACHE);

        IngestOutcome outcome = store.ingest(batch(later, List.of(result("m1", DOMAIN, "192.0.2.1", later))));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isZero();
    }

    @Test
    void aRolledBackBatchLeavesItsMessageIdsUnseen() throws Exception {
        // A result whose candidate JSON cannot be written makes the batch fail after its markers
        // were inserted; the retry must count those messages.
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
             Statement s = other.createStatement()) {
            s.executeUpdate("CREATE TRIGGER refuse BEFORE INSERT ON failure_candidates"
                    + " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
        }
        StoredResult plain = result("m1", DOMAIN, "192.0.2.1", T0);
        StoredResult failing = withCandidate(result("m2", DOMAIN, "203.0.113.9", T0), "cand-1", T0);

        assertThatThrownBy(() -> store.ingest(batch(T0, List.of(plain, failing))))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(contents.totalCount()).isZero();
        assertThat(contents.rows("message_ids")).isZero();

        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
             Statement s = other.createStatement()) {
            s.executeUpdate("DROP TRIGGER refuse");
        }
        IngestOutcome retry = store.ingest(batch(T0, List.of(plain, failing)));

        assertThat(((IngestOutcome.Stored) retry).duplicateMessages()).isZero();
        assertThat(contents.totalCount()).isEqualTo(2);
        assertThat(contents.candidateIds()).containsExactly("cand-1");
    }

    @Test
    void aSecondStoreOnTheSameFolderIsRefused() {
        assertThatThrownBy(() -> SqliteResultStore.open(dataDir, clock, Durability.FULL))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerBytesAndStoresNothing() {
        byte[] first = response("[{\"messageId\":\"m1\",\"dmarc\":\"fail\"}]");
        store.ingest(new IngestBatch("key-1", first, List.of(result("m1", DOMAIN, "192.0.2.1", T0)), true, T0));

        IngestOutcome retry = store.ingest(batch("key-1", "[\"different\"]", T0.plusSeconds(30),
                List.of(result("m2", DOMAIN, "192.0.2.1", T0), result(null, DOMAIN, "192.0.2.5", T0))));

        assertThat(retry).isInstanceOf(IngestOutcome.Replayed.class);
        assertThat(((IngestOutcome.Replayed) retry).response()).isEqualTo(first);
        assertThat(contents.totalCount()).isEqualTo(1);
        assertThat(contents.hasMessageId("m2")).isFalse();
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyDigestIsRefusedAndStoresNothing() {
        byte[] first = response("[{\"messageId\":\"m1\"}]");
        store.ingest(new IngestBatch("key-1", "sha256:first", first,
                List.of(withCandidate(result("m1", DOMAIN, "192.0.2.1", T0), "c1", T0)), true, T0));
        long rows = contents.rows("report_rows");

        IngestOutcome reused = store.ingest(new IngestBatch("key-1", "sha256:second", response("other"),
                List.of(withCandidate(result("m2", DOMAIN, "192.0.2.9", T0), "c2", T0)), true, T0.plusSeconds(5)));
        IngestOutcome retry = store.ingest(new IngestBatch("key-1", "sha256:first", response("again"),
                List.of(result("m1", DOMAIN, "192.0.2.1", T0)), true, T0.plusSeconds(10)));

        assertThat(reused).isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(((IngestOutcome.Replayed) retry).response()).isEqualTo(first);
        assertThat(contents.totalCount()).isEqualTo(1);
        assertThat(contents.rows("report_rows")).isEqualTo(rows);
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
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + oldDir.resolve(SqliteResultStore.FILE_NAME));
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

        assertThat(((IngestOutcome.Replayed) store.ingest(new IngestBatch("old-key", "sha256:any", response("new"),
                List.of(result("m1", DOMAIN, "192.0.2.1", T0)), true, T0))).response()).isEqualTo(response("old"));
        store.ingest(new IngestBatch("new-key", "sha256:first", response("first"), List.of(), true, T0));
        assertThat(store.ingest(new IngestBatch("new-key", "sha256:second", response("x"), List.of(), true, T0)))
                .isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(contents.totalCount()).isZero();
        assertThat(contents.longValue("SELECT max(version) FROM schema_version"))
                .isEqualTo(SqliteResultStore.SCHEMA_VERSION);
    }

    @Test
    void anIdempotencyKeyIsRememberedEvenWhenNothingWasCounted() {
        store.ingest(batch("key-empty", "[{\"dmarc\":\"none\"}]", T0, List.of()));

        IngestOutcome retry = store.ingest(batch("key-empty", "other", T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));

        assertThat(((IngestOutcome.Replayed) retry).response()).isEqualTo(response("[{\"dmarc\":\"none\"}]"));
        assertThat(contents.totalCount()).isZero();
    }

    @Test
    void anIdempotencyKeyIsForgottenAfter24Hours() {
        store.ingest(batch("key-1", "first", T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        Instant later = T0.plus(Retention.DEDUPE).plusSeconds(1);

        IngestOutcome outcome = store.ingest(batch("key-1", "second", later, List.of(result("m2", DOMAIN, "192.0.2.1", later))));

        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(contents.totalCount()).isEqualTo(2);
        IngestOutcome retry = store.ingest(batch("key-1", "third", later, List.of()));
        assertThat(((IngestOutcome.Replayed) retry).response()).isEqualTo(response("second"));
    }

    @Test
    void aFailureCandidateIsWrittenOnceAndReadsBack() {
        StoredResult failing = withCandidate(result("m1", DOMAIN, "203.0.113.9", T0), "cand-1", T0);
        store.ingest(new IngestBatch(null, response("[]"), List.of(failing), false, T0));
        IngestOutcome again = store.ingest(new IngestBatch(null, response("[]"), List.of(failing), false, T0));

        assertThat(contents.candidateIds()).containsExactly("cand-1");
        // row + window; the candidate existed already
        assertThat(again).isEqualTo(new IngestOutcome.Stored(0, 2));
        FailureCandidate back = StoredJson.candidate(contents.candidateJson("cand-1"));
        assertThat(back).isEqualTo(failing.failureCandidate());
    }

    @Test
    void aDuplicateMessageWritesNoFailureCandidate() {
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "203.0.113.9", T0))));

        store.ingest(batch(T0, List.of(withCandidate(result("m1", DOMAIN, "203.0.113.9", T0), "cand-dup", T0))));

        assertThat(contents.candidateIds()).isEmpty();
    }

    @Test
    void theWindowKeepsThePolicyRecordSeenLast() {
        String older = "v=DMARC1; p=none; rua=mailto:agg@example.com";
        String newer = "v=DMARC1; p=quarantine; rua=mailto:agg@example.com";
        store.ingest(batch(T0, List.of(withRecord(result("m1", DOMAIN, "192.0.2.1", T0), older))));
        store.ingest(batch(T0, List.of(withRecord(result("m2", DOMAIN, "192.0.2.1", T0), older),
                withRecord(result("m3", DOMAIN, "192.0.2.1", T0), newer))));

        assertThat(contents.windows()).containsExactly(
                java.util.Map.entry(DOMAIN + "@" + window(DOMAIN, T0).start(), newer));
    }

    @Test
    void resultsOfDifferentWindowsCountSeparately() {
        Instant nextDay = T0.plus(Duration.ofDays(1));
        store.ingest(batch(T0, List.of(result("m1", DOMAIN, "192.0.2.1", T0))));
        store.ingest(batch(nextDay, List.of(result("m2", DOMAIN, "192.0.2.1", nextDay))));

        assertThat(contents.counts(DOMAIN, window(DOMAIN, T0).start())).containsValue(1L);
        assertThat(contents.counts(DOMAIN, window(DOMAIN, nextDay).start())).containsValue(1L);
        assertThat(contents.rows("report_windows")).isEqualTo(2);
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
        assertThat(contents.rows("report_rows")).isEqualTo(1);

        clock.set(T0.plus(Retention.FAILURE_CANDIDATE).plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(1);
        assertThat(contents.candidateIds()).isEmpty();
        assertThat(contents.rows("report_windows")).isEqualTo(1);

        clock.set(Instant.ofEpochSecond(windowStart).plus(Retention.REPORT_DATA).plusSeconds(1));
        assertThat(store.purgeExpired()).isEqualTo(2);
        assertThat(contents.rows("report_rows")).isZero();
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
    void latestCutIsTheLaterOfTheDomainsOwnAndTheCutForAllDomains() {
        assertThat(store.latestCut(DOMAIN)).isZero();

        store.recordCut(DOMAIN, 1_000);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(1_000);
        assertThat(store.latestCut("example.net")).isZero();

        store.recordCut("*", 2_000);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(2_000);
        assertThat(store.latestCut("example.net")).isEqualTo(2_000);

        store.recordCut(DOMAIN, 3_000);
        store.recordCut(DOMAIN, 1_500); // a cut never moves back
        assertThat(store.latestCut(DOMAIN)).isEqualTo(3_000);
        assertThat(store.latestCut("example.net")).isEqualTo(2_000);
    }

    @Test
    void aCutWrittenByAnotherProcessIsSeenWithinTheCacheTime() throws Exception {
        assertThat(store.latestCut(DOMAIN)).isZero();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
             Statement s = other.createStatement()) {
            s.executeUpdate("INSERT INTO send_now_cuts (policy_domain, cut_at) VALUES ('example.com', 4242)");
        }

        // Cached for a while (at most WindowTiming.CUT_CACHE, the ResultStore contract), then read again.
        assertThat(store.latestCut(DOMAIN)).isZero();
        Thread.sleep(CUT_CACHE.toMillis() + 50);
        assertThat(store.latestCut(DOMAIN)).isEqualTo(4242);
    }

    @Test
    void everythingSurvivesReopeningTheFile() {
        store.ingest(new IngestBatch("key-1", response("first"), List.of(result("m1", DOMAIN, "192.0.2.1", T0)), true, T0));
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
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteResultStore.FILE_NAME));
             Statement s = other.createStatement()) {
            s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + (SqliteResultStore.SCHEMA_VERSION + 1) + ")");
        }

        assertThatThrownBy(() -> SqliteResultStore.open(dataDir, clock, Durability.FULL))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("newer version");
    }
}
