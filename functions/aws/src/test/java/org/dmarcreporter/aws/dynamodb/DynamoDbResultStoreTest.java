package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.RECORD;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.candidate;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.result;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.row;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.spread;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.core.window.WindowTiming;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB store against moto ({@code DMARC_AWS_ENDPOINT}), through the real SDK. */
class DynamoDbResultStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:15:00Z");
    private static final long MIDNIGHT = ReportingWindows.windowStart(T0, 0);
    private static final ReportingWindow EXAMPLE = new ReportingWindow("example.com", MIDNIGHT);
    private static final ReportingWindow OTHER = new ReportingWindow("other.test", MIDNIGHT);
    private static final byte[] RESPONSE = "[{\"dmarc\":\"pass\"}]".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(T0);
    private final CrashSwitch crash = new CrashSwitch();
    private MotoTables tables;
    private DynamoDbResultStore store;

    @BeforeEach
    void setUp() {
        tables = new MotoTables(crash);
        store = tables.store(clock);
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

    private IngestBatch batch(String key, List<StoredResult> results, boolean dedupe) {
        return new IngestBatch(key, RESPONSE, results, dedupe, clock.instant());
    }

    @Test
    void equalRowsAreMergedIntoOneUpdatePerDistinctRowAndCountsAddUp() {
        List<StoredResult> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            results.add(result(null, EXAMPLE, row("example.com", i % 3)));
        }
        results.add(result(null, OTHER, row("other.test", 0)));

        IngestOutcome outcome = store.ingest(batch(null, results, false));

        // 3 + 1 rows, 2 window index entries and the write marker: one transaction.
        assertThat(tables.counter.calls("TransactWriteItems")).isEqualTo(1);
        assertThat(tables.counter.calls("UpdateItem")).isZero();
        assertThat(outcome).isEqualTo(new IngestOutcome.Stored(0, 7));
        assertThat(tables.counts("ROW#example.com#"))
                .containsOnly(
                        Map.entry("192.0.2.0/pass", 10L),
                        Map.entry("192.0.2.1/reject", 10L),
                        Map.entry("192.0.2.2/pass", 10L));
        assertThat(tables.counts("ROW#other.test#")).containsOnly(Map.entry("192.0.2.0/pass", 1L));

        store.ingest(batch(null, results.subList(0, 3), false));
        assertThat(tables.counts("ROW#example.com#"))
                .containsOnly(
                        Map.entry("192.0.2.0/pass", 11L),
                        Map.entry("192.0.2.1/reject", 11L),
                        Map.entry("192.0.2.2/pass", 11L));
    }

    @Test
    void counterItemsUseTheDocumentedKeysAndHoldTheRowAsJson() {
        AggregateRow row = row("example.com", 1);
        store.ingest(batch(null, List.of(result(null, EXAMPLE, row), result(null, EXAMPLE, row)), false));

        List<Map<String, AttributeValue>> rows = tables.reportItems("ROW#");
        assertThat(rows).hasSize(1);
        Map<String, AttributeValue> item = rows.get(0);
        assertThat(item.get("pk").s()).isEqualTo("ROW#example.com#" + MIDNIGHT);
        assertThat(item.get("sk").s())
                .isEqualTo(ItemKeys.rowSk(row.key()))
                .hasSize(43)
                .doesNotContain("=", "+", "/");
        assertThat(item.get("count").n()).isEqualTo("2");
        assertThat(StoredJson.row(item.get("row").s())).isEqualTo(row);
    }

    @Test
    void windowIndexHoldsTheLastPolicyRecordSeen() {
        String first = "v=DMARC1; p=none; rua=mailto:a@example.com";
        String second = "v=DMARC1; p=reject; rua=mailto:b@example.com";
        String third = "v=DMARC1; p=quarantine; rua=mailto:c@example.com";
        store.ingest(batch(null, List.of(result(null, EXAMPLE, row("example.com", 0), first, null)), false));
        clock.advance(Duration.ofSeconds(5));
        store.ingest(batch(
                null,
                List.of(
                        result(null, EXAMPLE, row("example.com", 0), second, null),
                        result(null, EXAMPLE, row("example.com", 1), third, null)),
                false));

        List<Map<String, AttributeValue>> index = tables.reportItems("WINDOW#");
        assertThat(index).hasSize(1);
        Map<String, AttributeValue> entry = index.get(0);
        assertThat(entry.get("pk").s())
                .isEqualTo(ItemKeys.windowPk("example.com"))
                .matches("WINDOW#0[0-9a-f]");
        assertThat(entry.get("sk").s()).isEqualTo("example.com#" + MIDNIGHT);
        assertThat(entry.get("domain").s()).isEqualTo("example.com");
        assertThat(entry.get("windowStart").n()).isEqualTo(Long.toString(MIDNIGHT));
        assertThat(entry.get("policyRecord").s()).isEqualTo(third);
        assertThat(entry.get("updatedAt").n()).isEqualTo(Long.toString(T0.getEpochSecond() + 5));
    }

    @Test
    void timeToLiveAttributesFollowTheRetentionRules() {
        FailureCandidate c = candidate("cand-1", "m1@x", EXAMPLE, T0);
        store.ingest(batch("key-ttl", List.of(result("m1@x", EXAMPLE, row("example.com", 1), RECORD, c)), true));

        long reportData = MIDNIGHT + Retention.REPORT_DATA.toSeconds();
        long dedupe = T0.getEpochSecond() + Retention.DEDUPE.toSeconds();
        assertThat(expiresAt("ROW#")).containsExactly(reportData);
        assertThat(expiresAt("WINDOW#")).containsExactly(reportData);
        assertThat(expiresAt("MSG#")).containsExactly(dedupe);
        assertThat(expiresAt("IDEMPOTENCY#")).containsExactly(dedupe); // the request item holds the progress
        Map<String, AttributeValue> stored = tables.scan(tables.candidates).get(0);
        assertThat(stored.get("expiresAt").n())
                .isEqualTo(Long.toString(T0.getEpochSecond() + Retention.FAILURE_CANDIDATE.toSeconds()));
        assertThat(stored.get("storedAt").n()).isEqualTo(Long.toString(T0.getEpochSecond()));
        assertThat(stored.get("policyDomain").s()).isEqualTo("example.com");
        assertThat(StoredJson.candidate(stored.get("candidate").s())).isEqualTo(c);
    }

    private List<Long> expiresAt(String pkPrefix) {
        return tables.reportItems(pkPrefix).stream()
                .map(i -> Long.parseLong(i.get("expiresAt").n()))
                .toList();
    }

    @Test
    void failureCandidatesAreStoredOnceWhenTheSameBatchIsWrittenTwice() {
        List<StoredResult> results = List.of(
                result(null, EXAMPLE, row("example.com", 1), RECORD, candidate("cand-a", "a@x", EXAMPLE, T0)),
                result(null, EXAMPLE, row("example.com", 1), RECORD, candidate("cand-b", "b@x", EXAMPLE, T0)),
                result(null, EXAMPLE, row("example.com", 1), RECORD, candidate("cand-b", "b@x", EXAMPLE, T0)));

        store.ingest(batch(null, results, false));
        IngestOutcome again = store.ingest(batch(null, results, false));

        assertThat(tables.scan(tables.candidates))
                .extracting(i -> i.get("pk").s())
                .containsExactlyInAnyOrder("cand-a", "cand-b");
        // Second time: both candidate puts refused by their condition; marker, window and row written.
        assertThat(again).isEqualTo(new IngestOutcome.Stored(0, 3));
        assertThat(tables.counter.failedCalls()).isEqualTo(2);
    }

    @Test
    void aMessageIdStoredByAnEarlierBatchIsCountedOnce() {
        List<StoredResult> first = List.of(
                result("m1@x", EXAMPLE, row("example.com", 0)),
                result("m2@x", EXAMPLE, row("example.com", 1), RECORD, candidate("cand-m2", "m2@x", EXAMPLE, T0)));
        List<StoredResult> second = List.of(
                result("m2@x", EXAMPLE, row("example.com", 1), RECORD, candidate("cand-m2", "m2@x", EXAMPLE, T0)),
                result("m3@x", EXAMPLE, row("example.com", 1)),
                result(null, EXAMPLE, row("example.com", 1)));

        assertThat(store.ingest(batch(null, first, true))).isEqualTo(new IngestOutcome.Stored(0, 7));
        IngestOutcome outcome = store.ingest(batch(null, second, true));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isEqualTo(1);
        assertThat(tables.counts("ROW#"))
                .containsOnly(Map.entry("192.0.2.0/pass", 1L), Map.entry("192.0.2.1/reject", 3L));
        assertThat(tables.reportItems("MSG#"))
                .extracting(i -> i.get("pk").s())
                .containsExactlyInAnyOrder("MSG#m1@x", "MSG#m2@x", "MSG#m3@x");
        assertThat(tables.scan(tables.candidates)).hasSize(1);
    }

    @Test
    void aMessageIdRepeatedWithinOneBatchIsCountedOnce() {
        List<StoredResult> results = List.of(
                result("m1@x", EXAMPLE, row("example.com", 0)),
                result("m1@x", EXAMPLE, row("example.com", 0)),
                result("m1@x", EXAMPLE, row("example.com", 1)),
                result("m2@x", EXAMPLE, row("example.com", 0)));

        IngestOutcome outcome = store.ingest(batch(null, results, true));

        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isEqualTo(2);
        assertThat(tables.counts("ROW#")).containsOnly(Map.entry("192.0.2.0/pass", 2L));
        assertThat(tables.counter.calls("TransactWriteItems")).isEqualTo(1);
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheFirstAnswerAndStoresNothingMore() {
        List<StoredResult> results = spread("idem", EXAMPLE, 250, 25, T0, true);
        store.ingest(batch("key-1", results, true));
        List<Map<String, AttributeValue>> before = tables.scan(tables.reports);
        long writesBefore = tables.counter.allItems();

        clock.advance(Duration.ofMinutes(5));
        byte[] other = "something else".getBytes(StandardCharsets.UTF_8);
        IngestOutcome again = store.ingest(new IngestBatch("key-1", other, results, true, clock.instant()));

        assertThat(again)
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(RESPONSE));
        assertThat(tables.counter.allItems()).isEqualTo(writesBefore); // the failed claim wrote nothing
        assertThat(tables.scan(tables.reports)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(tables.totalCount()).isEqualTo(250);
    }

    @Test
    void aKeyHeldByARunningRequestAnswersInProgressUntilItsLeaseRunsOut() {
        crash.crashAfterTransactions(1, true);
        List<StoredResult> results = spread("lease", EXAMPLE, 50, 5, T0, false);
        assertThatThrownBy(() -> store.ingest(batch("key-lease", results, true)))
                .isInstanceOf(StoreUnavailableException.class);
        crash.revive();

        assertThat(store.ingest(batch("key-lease", results, true))).isInstanceOf(IngestOutcome.InProgress.class);

        clock.advance(IdempotencyLedger.LEASE.plusSeconds(1));
        assertThat(store.ingest(batch("key-lease", results, true))).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(50);
        assertThat(store.ingest(batch("key-lease", results, true))).isInstanceOf(IngestOutcome.Replayed.class);
    }

    @Test
    void aCrashAfterTheFirstTransactionThenARetryWithTheSameKeyGivesExactCounts() {
        List<StoredResult> results = spread("crash", EXAMPLE, 500, 50, T0, true);
        crash.crashAfterTransactions(1, false);

        assertThatThrownBy(() -> store.ingest(batch("key-crash", results, true)))
                .isInstanceOf(StoreUnavailableException.class);
        long afterCrash = tables.totalCount();
        assertThat(afterCrash).isGreaterThan(0).isLessThan(500);

        // The failed attempt dropped its lease: the client's retry goes ahead at once.
        clock.advance(Duration.ofSeconds(2));
        IngestOutcome retry = store.ingest(batch("key-crash", results, true));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(((IngestOutcome.Stored) retry).duplicateMessages()).isZero();
        assertThat(tables.totalCount()).isEqualTo(500);
        Map<String, Long> counts = tables.counts("ROW#");
        assertThat(counts)
                .hasSize(50)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(10L));
        assertThat(tables.scan(tables.candidates)).hasSize(50);
    }

    @Test
    void aRetryThatCanStoreAResultTheFirstAttemptCouldNotCountsEveryResultOnce() {
        // Each result its own row; with a key and no de-dup a chunk holds marker + window + 98 rows.
        List<StoredResult> all = spread("dns", EXAMPLE, 150, 150, T0, false);
        crash.crashAfterTransactions(1, false);

        // First attempt: DNS timed out for result 0, so it was not storable; chunk 0 = results 1..98.
        assertThatThrownBy(() -> store.ingest(batch("key-dns", all.subList(1, 150), false)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isEqualTo(98);
        assertThat(requestItem("key-dns").get("counted").ns())
                .hasSize(98)
                .contains("1", "98")
                .doesNotContain("0");

        // The retry evaluates result 0 after all: it is not counted yet, so it is counted now.
        clock.advance(Duration.ofSeconds(2));
        IngestOutcome retry = store.ingest(batch("key-dns", all, false));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.counts("ROW#"))
                .hasSize(150)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(1L));
        assertThat(requestItem("key-dns"))
                .containsEntry("status", AttributeValue.fromS("COMPLETE"))
                .doesNotContainKey("counted");
        assertThat(store.ingest(batch("key-dns", all, false))).isInstanceOf(IngestOutcome.Replayed.class);
        assertThat(tables.totalCount()).isEqualTo(150);
    }

    @Test
    void aRetryWithMoreStorableResultsAndDedupeCountsEveryMessageOnce() {
        List<StoredResult> all = spread("dnsdedupe", EXAMPLE, 150, 15, T0, true);
        crash.crashAfterTransactions(1, false);
        assertThatThrownBy(() -> store.ingest(batch("key-dnsdedupe", all.subList(1, 150), true)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isGreaterThan(0).isLessThan(149);

        clock.advance(Duration.ofSeconds(2));
        IngestOutcome retry = store.ingest(batch("key-dnsdedupe", all, true));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(((IngestOutcome.Stored) retry).duplicateMessages()).isZero();
        assertThat(tables.counts("ROW#"))
                .hasSize(15)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(10L));
        assertThat(tables.reportItems("MSG#")).hasSize(150);
        assertThat(tables.scan(tables.candidates)).hasSize((int)
                all.stream().filter(r -> r.failureCandidate() != null).count());
    }

    @Test
    void aResultStorableOnlyInTheFirstAndThirdAttemptIsCountedOnce() {
        List<StoredResult> all = spread("flip", EXAMPLE, 150, 150, T0, false); // chunks 0..97 and 98..149
        List<StoredResult> without120 = new ArrayList<>(all);
        without120.remove(120);

        crash.crashAfterTransactions(1, false);
        assertThatThrownBy(() -> store.ingest(batch("key-flip", all, false)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isEqualTo(98);

        // Second attempt: result 120 not storable. 0..97 are counted and skipped; the rest
        // without 120 is counted.
        clock.advance(Duration.ofSeconds(2));
        crash.crashAfterTransactions(1, false);
        assertThatThrownBy(() -> store.ingest(batch("key-flip", without120, false)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isEqualTo(149);

        clock.advance(Duration.ofSeconds(2));
        IngestOutcome third = store.ingest(batch("key-flip", all, false));

        assertThat(third).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.counts("ROW#"))
                .hasSize(150)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(1L));
    }

    @Test
    void aStoredChunkWhoseResultsNoLongerFitOneTransactionIsSplit() {
        // First attempt: results 98..299 share one row (chunk 1 = 3 items); on the retry they
        // evaluate to 202 different rows, which take three transactions.
        List<StoredResult> first = new ArrayList<>();
        List<StoredResult> retried = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            first.add(new StoredResult(null, EXAMPLE, row("example.com", Math.min(i, 98)), RECORD, null, i));
            retried.add(new StoredResult(null, EXAMPLE, row("example.com", i), RECORD, null, i));
        }
        crash.crashAfterTransactions(1, false);
        assertThatThrownBy(() -> store.ingest(batch("key-split", first, false)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isEqualTo(98);

        clock.advance(Duration.ofSeconds(2));
        IngestOutcome retry = store.ingest(batch("key-split", retried, false));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.counts("ROW#"))
                .hasSize(300)
                .allSatisfy((row, count) -> assertThat(count).isEqualTo(1L));
    }

    @Test
    void withAnIdempotencyKeyResultsWithTheSameRequestIndexAreRefusedBeforeAnyWrite() {
        List<StoredResult> sameIndex =
                List.of(result("a@x", EXAMPLE, row("example.com", 0)), result("b@x", EXAMPLE, row("example.com", 1)));

        assertThatThrownBy(() -> store.ingest(batch("key-index", sameIndex, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requestIndex");
        assertThat(tables.counter.calls()).isZero();
        assertThat(store.ingest(batch("key-index", StoreFixtures.indexed(sameIndex), true)))
                .isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(2);
    }

    private Map<String, AttributeValue> requestItem(String key) {
        return tables.reportItems("IDEMPOTENCY#" + key).stream()
                .filter(i -> i.get("sk").s().equals("REQUEST"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aCrashWithoutAnIdempotencyKeyLeavesDedupedMessagesCountedOnceOnResend() {
        List<StoredResult> results = spread("resend", EXAMPLE, 300, 30, T0, false);
        crash.crashAfterTransactions(2, false);
        assertThatThrownBy(() -> store.ingest(batch(null, results, true)))
                .isInstanceOf(StoreUnavailableException.class);

        IngestOutcome resend = store.ingest(batch(null, results, true));

        assertThat(tables.totalCount()).isEqualTo(300);
        assertThat(((IngestOutcome.Stored) resend).duplicateMessages()).isGreaterThan(0);
    }

    @Test
    void anIdempotencyKeyWithDedupeOffWritesTransactionallyAndReplaysExactly() {
        List<StoredResult> results = spread("nodedupe", EXAMPLE, 500, 50, T0, false);
        crash.crashAfterTransactions(1, false);
        // 50 rows + 1 window + 1 progress update = 52 items: one transaction, so crash after it
        assertThatThrownBy(() -> store.ingest(batch("key-nd", results, false)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(tables.totalCount()).isEqualTo(500);

        IngestOutcome retry = store.ingest(batch("key-nd", results, false));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(500);
        assertThat(tables.reportItems("MSG#")).isEmpty();
    }

    @Test
    void fiveHundredMessagesOverFiftyRowsTakeAboutSixTransactions() {
        store.ingest(batch(null, spread("tx", EXAMPLE, 500, 50, T0, false), true));

        assertThat(tables.counter.calls("TransactWriteItems")).isBetween(6L, 7L);
        assertThat(tables.counter.allItems()).isLessThan(600); // < 1.2 writes per message
        assertThat(tables.totalCount()).isEqualTo(500);
    }

    @Test
    void anExistingFailureCandidateDoesNotBlockItsTransaction() {
        FailureCandidate c = candidate("cand-old", "old@x", EXAMPLE, T0);
        // First stored without de-dup (no MSG marker), then again with it.
        store.ingest(batch(null, List.of(result("old@x", EXAMPLE, row("example.com", 1), RECORD, c)), false));

        IngestOutcome outcome =
                store.ingest(batch(null, List.of(result("old@x", EXAMPLE, row("example.com", 1), RECORD, c)), true));

        assertThat(outcome).isEqualTo(new IngestOutcome.Stored(0, 4)); // write marker, message marker, window, row
        assertThat(tables.totalCount()).isEqualTo(2);
        assertThat(tables.scan(tables.candidates)).hasSize(1);
    }

    @Test
    void aBatchPastTheIngestDeadlineWritesNothing() {
        IngestBatch late = batch("key-late", spread("late", EXAMPLE, 10, 2, T0, false), true);
        clock.advance(WindowTiming.INGEST_DEADLINE.plusSeconds(1));

        assertThatThrownBy(() -> store.ingest(late))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("deadline");
        assertThat(tables.scan(tables.reports)).isEmpty();
        assertThat(tables.counter.calls()).isZero();
    }

    @Test
    void latestCutIsTheLaterOfTheDomainAndTheAllDomainsCutAndIsCachedBriefly() {
        assertThat(store.latestCut("example.com")).isZero();

        putCut("CUT#example.com", 1_000);
        putCut("CUT#*", 2_000);
        assertThat(store.latestCut("example.com")).isZero(); // still cached
        clock.advance(WindowTiming.CUT_CACHE);
        assertThat(store.latestCut("example.com")).isEqualTo(2_000);
        assertThat(store.latestCut("other.test")).isEqualTo(2_000);

        putCut("CUT#example.com", 3_000);
        clock.advance(WindowTiming.CUT_CACHE);
        assertThat(store.latestCut("example.com")).isEqualTo(3_000);
        assertThat(store.latestCut("other.test")).isEqualTo(2_000);
    }

    private void putCut(String pk, long cutAt) {
        tables.client.putItem(b -> b.tableName(tables.reports.name())
                .item(Map.of(
                        "pk",
                        AttributeValue.fromS(pk),
                        "sk",
                        AttributeValue.fromS("CUT"),
                        "cutAt",
                        AttributeValue.fromN(Long.toString(cutAt)))));
    }
}
