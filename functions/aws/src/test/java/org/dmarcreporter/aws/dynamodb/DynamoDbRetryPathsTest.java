package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.result;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.row;
import static org.dmarcreporter.aws.dynamodb.StoreFixtures.spread;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Retry paths of the DynamoDB store against moto through the real SDK: answers lost after
 * DynamoDB applied a write (the SDK then re-sends it), owners that die or lose their key, key
 * reuse with another body, and key spaces that must not collide.
 */
class DynamoDbRetryPathsTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:15:00Z");
    private static final ReportingWindow EXAMPLE =
            new ReportingWindow("example.com", ReportingWindows.windowStart(T0, 0));
    private static final byte[] RESPONSE = "[]".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(T0);
    private final LostAnswer lostAnswer = new LostAnswer();
    private final CrashSwitch crash = new CrashSwitch();
    private final OnTransaction onTransaction = new OnTransaction();
    private MotoTables tables;
    private DynamoDbResultStore store;

    @BeforeEach
    void setUp() {
        tables = new MotoTables(lostAnswer, crash, onTransaction);
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

    private IngestBatch batch(String key, String digest, List<StoredResult> results, boolean dedupe) {
        return new IngestBatch(key, digest, RESPONSE, results, dedupe, clock.instant());
    }

    private static boolean transaction(SdkRequest r) {
        return r instanceof TransactWriteItemsRequest;
    }

    private static boolean update(SdkRequest r, String expressionStart) {
        return r instanceof UpdateItemRequest u && u.updateExpression().startsWith(expressionStart);
    }

    /** Any write that adds to a counter: a transaction, or (as this store once sent) an UpdateItem ADD. */
    private static boolean counterWrite(SdkRequest r) {
        return transaction(r) || update(r, "ADD #count");
    }

    @Test
    void aCounterWriteWhoseAnswerWasLostIsCountedOnceWithoutAKey() {
        lostAnswer.loseNext(DynamoDbRetryPathsTest::counterWrite, 1);

        IngestOutcome outcome = store.ingest(batch(null, null, spread("lost", EXAMPLE, 500, 50, T0, false), false));

        assertThat(lostAnswer.lost()).isEqualTo(1);
        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(500);
        assertThat(tables.counts("ROW#"))
                .hasSize(50)
                .allSatisfy((row, n) -> assertThat(n).isEqualTo(10L));
    }

    @Test
    void lostAnswersOfDeDuplicatedChunksNeitherCountTwiceNorReportDuplicates() {
        lostAnswer.loseNext(DynamoDbRetryPathsTest::transaction, 3);

        IngestOutcome outcome = store.ingest(batch(null, null, spread("lostd", EXAMPLE, 500, 50, T0, true), true));

        assertThat(lostAnswer.lost()).isEqualTo(3);
        assertThat(((IngestOutcome.Stored) outcome).duplicateMessages()).isZero();
        assertThat(tables.totalCount()).isEqualTo(500);
        assertThat(tables.reportItems("MSG#")).hasSize(500);
    }

    @Test
    void aKeyedChunkWhoseAnswerWasLostIsCountedOnce() {
        lostAnswer.loseNext(DynamoDbRetryPathsTest::transaction, 2);

        IngestOutcome outcome =
                store.ingest(batch("key-lost", "d1", spread("lostk", EXAMPLE, 300, 150, T0, false), false));

        assertThat(lostAnswer.lost()).isEqualTo(2);
        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(300);
        assertThat(store.ingest(batch("key-lost", "d1", List.of(), false))).isInstanceOf(IngestOutcome.Replayed.class);
    }

    @Test
    void aClaimWhoseAnswerWasLostIsRecognisedAsItsOwn() {
        lostAnswer.loseNext(r -> r instanceof PutItemRequest, 1);

        IngestOutcome outcome = store.ingest(batch("key-claim", "d1", spread("claim", EXAMPLE, 40, 4, T0, true), true));

        assertThat(lostAnswer.lost()).isEqualTo(1);
        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class); // not 409 for its own claim
        assertThat(tables.totalCount()).isEqualTo(40);
        assertThat(requestItem("key-claim").get("status").s()).isEqualTo("COMPLETE");
    }

    @Test
    void aCompletionWhoseAnswerWasLostStillAnswersAndReplays() {
        lostAnswer.loseNext(r -> update(r, "SET #status = :complete"), 1);

        IngestOutcome outcome = store.ingest(batch("key-done", "d1", spread("done", EXAMPLE, 40, 4, T0, false), false));

        assertThat(lostAnswer.lost()).isEqualTo(1);
        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(store.ingest(batch("key-done", "d1", List.of(), false))).isInstanceOf(IngestOutcome.Replayed.class);
        assertThat(tables.totalCount()).isEqualTo(40);
    }

    @Test
    void aTakeOverWhoseAnswerWasLostIsRecognisedAsItsOwn() {
        List<StoredResult> results = spread("take", EXAMPLE, 300, 150, T0, false);
        crash.crashAfterTransactions(1, true);
        assertThatThrownBy(() -> store.ingest(batch("key-take", "d1", results, false)))
                .isInstanceOf(StoreUnavailableException.class);
        crash.revive();
        clock.advance(IdempotencyLedger.LEASE.plusSeconds(1));
        lostAnswer.loseNext(r -> update(r, "SET #owner = :owner"), 1);

        IngestOutcome retry = store.ingest(batch("key-take", "d1", results, false));

        assertThat(lostAnswer.lost()).isEqualTo(1);
        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(300);
    }

    @Test
    void aKeyWhoseOwnerDiedIsFreeAgainWellBeforeAMinute() {
        List<StoredResult> results = spread("dead", EXAMPLE, 300, 150, T0, false);
        crash.crashAfterTransactions(1, true); // dies: not even the lease release gets through
        assertThatThrownBy(() -> store.ingest(batch("key-dead", "d1", results, false)))
                .isInstanceOf(StoreUnavailableException.class);
        crash.revive();

        clock.advance(Duration.ofSeconds(20));
        IngestOutcome retry = store.ingest(batch("key-dead", "d1", results, false));

        assertThat(retry).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(tables.totalCount()).isEqualTo(300);
    }

    @Test
    void anAttemptWhoseKeyWasTakenOverWritesNothingMore() {
        List<StoredResult> results = spread("over", EXAMPLE, 300, 150, T0, false); // 4 chunks
        DynamoDbResultStore other = tables.store(clock);
        // Just before the first attempt's second transaction goes out, it stalls past its lease
        // and a retry takes the key over and stores the whole request.
        onTransaction.runBefore(2, () -> {
            clock.advance(IdempotencyLedger.LEASE.plusSeconds(1));
            assertThat(other.ingest(new IngestBatch("key-over", "d1", RESPONSE, results, false, clock.instant())))
                    .isInstanceOf(IngestOutcome.Stored.class);
        });

        assertThatThrownBy(() -> store.ingest(new IngestBatch("key-over", "d1", RESPONSE, results, false, T0)))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("took the key over");

        assertThat(onTransaction.ran).isTrue();
        assertThat(tables.totalCount()).isEqualTo(300);
        assertThat(tables.counts("ROW#"))
                .hasSize(150)
                .allSatisfy((row, n) -> assertThat(n).isEqualTo(2L));
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefusedAndStoresNothing() {
        store.ingest(batch("key-reused", "digest-a", spread("a", EXAMPLE, 20, 2, T0, true), true));
        List<Map<String, AttributeValue>> before = tables.scan(tables.reports);

        IngestOutcome other =
                store.ingest(batch("key-reused", "digest-b", spread("b", EXAMPLE, 20, 2, T0, true), true));

        assertThat(other).isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(tables.scan(tables.reports)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(tables.totalCount()).isEqualTo(20);
        assertThat(requestItem("key-reused").get("requestDigest").s()).isEqualTo("digest-a");
        assertThat(store.ingest(batch("key-reused", "digest-a", List.of(), true)))
                .isInstanceOf(IngestOutcome.Replayed.class);
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefusedWhileTheFirstIsInProgress() {
        crash.crashAfterTransactions(1, true);
        assertThatThrownBy(() ->
                        store.ingest(batch("key-busy", "digest-a", spread("a", EXAMPLE, 300, 150, T0, false), false)))
                .isInstanceOf(StoreUnavailableException.class);
        crash.revive();
        long counted = tables.totalCount();

        assertThat(store.ingest(batch("key-busy", "digest-b", spread("b", EXAMPLE, 20, 2, T0, false), false)))
                .isInstanceOf(IngestOutcome.KeyReused.class);
        clock.advance(IdempotencyLedger.LEASE.plusSeconds(1));
        assertThat(store.ingest(batch("key-busy", "digest-b", spread("b", EXAMPLE, 20, 2, T0, false), false)))
                .isInstanceOf(IngestOutcome.KeyReused.class);
        assertThat(tables.totalCount()).isEqualTo(counted);
    }

    @Test
    void aTakeOverDoesNotMoveTheKeysExpiry() {
        List<StoredResult> results = spread("ttl", EXAMPLE, 300, 150, T0, false);
        crash.crashAfterTransactions(1, false);
        assertThatThrownBy(() -> store.ingest(batch("key-ttl", "d1", results, false)))
                .isInstanceOf(StoreUnavailableException.class);
        long expiresAt = Long.parseLong(requestItem("key-ttl").get("expiresAt").n());

        clock.advance(Duration.ofHours(23));
        store.ingest(batch("key-ttl", "d1", results, false));

        // The key and what was counted under it are forgotten together, 24 h after first use.
        assertThat(Long.parseLong(requestItem("key-ttl").get("expiresAt").n()))
                .isEqualTo(expiresAt)
                .isEqualTo(T0.getEpochSecond() + Duration.ofHours(24).toSeconds());
        assertThat(tables.totalCount()).isEqualTo(300);
    }

    @Test
    void aMessageIdThatLooksLikeTheDigestOfALongOneIsItsOwnMessage() throws Exception {
        String longId = "<" + "x".repeat(ItemKeys.MAX_RAW_MESSAGE_ID_BYTES) + "@mail.example>";
        String lookalike = "sha256:"
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                                MessageDigest.getInstance("SHA-256").digest(longId.getBytes(StandardCharsets.UTF_8)));

        store.ingest(batch(null, null, List.of(result(longId, EXAMPLE, row("example.com", 0))), true));
        IngestOutcome second =
                store.ingest(batch(null, null, List.of(result(lookalike, EXAMPLE, row("example.com", 0))), true));

        assertThat(((IngestOutcome.Stored) second).duplicateMessages()).isZero();
        assertThat(tables.totalCount()).isEqualTo(2);
        assertThat(ItemKeys.messagePk(longId)).isNotEqualTo(ItemKeys.messagePk(lookalike));
    }

    /** Runs an action (in the caller's thread) just before the n-th TransactWriteItems is sent. */
    static final class OnTransaction implements ExecutionInterceptor {
        private int countdown = -1;
        private Runnable action;
        volatile boolean ran;

        synchronized void runBefore(int n, Runnable action) {
            this.countdown = n;
            this.action = action;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            Runnable run = null;
            synchronized (this) {
                if (context.request() instanceof TransactWriteItemsRequest && countdown > 0 && --countdown == 0) {
                    run = action;
                }
            }
            if (run != null) {
                ran = true;
                run.run();
            }
        }
    }

    private Map<String, AttributeValue> requestItem(String key) {
        return tables.reportItems("IDEMPOTENCY#" + key).stream()
                .filter(i -> i.get("sk").s().equals("REQUEST"))
                .findFirst()
                .orElseThrow();
    }
}
