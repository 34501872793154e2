package org.dmarcreporter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.core.window.WindowTiming;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ResultStore} must do, run against each implementation (in memory in core,
 * SQLite in {@code functions/local}, DynamoDB on moto in {@code functions/aws}). Store-specific
 * behaviour (durability, crash recovery, item layout, write costs) stays in each store's own test.
 *
 * <p>A subclass builds a fresh, empty store on {@link #clock} before each test (and closes it
 * after), and reads back what it holds through {@link #readBack()}. Every batch here is stamped
 * with the clock's time, as {@code IngestService} stamps it.
 */
public abstract class ResultStoreContract {

    protected static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    private static final String DOMAIN = "example.com";
    private static final String OTHER_DOMAIN = "example.net";
    private static final String RECORD = "v=DMARC1; p=reject; rua=mailto:agg@example.com; ruf=mailto:fail@example.com";

    private static final AggregateRow ROW_A = row(DOMAIN, "192.0.2.1");
    private static final AggregateRow ROW_B = row(DOMAIN, "192.0.2.2");
    private static final AggregateRow ROW_C = row(DOMAIN, "192.0.2.3");
    private static final AggregateRow OTHER_ROW = row(OTHER_DOMAIN, "192.0.2.1");

    /** The clock of the store under test; tests move it to expire things. */
    protected final MutableClock clock = new MutableClock(T0);

    /** The store under test: empty at the start of each test, built on {@link #clock}. */
    protected abstract ResultStore store();

    /** Reads what {@link #store()} holds. */
    protected abstract ResultStoreReadBack readBack();

    /**
     * Records a send-now cut as the aggregate function does: from {@code cutAt} on,
     * {@code policyDomain} ({@code "*"} for every domain) collects into a new window.
     */
    protected abstract void recordCut(String policyDomain, long cutAt);

    /**
     * Starts storing {@code batch} (which has an Idempotency-Key) and holds it mid-way, its key
     * taken, until {@link HeldRequest#finish()}; empty for a store that stores each keyed request
     * in one step under a lock, where no other request can see one in progress.
     */
    protected abstract Optional<HeldRequest> startAndHold(IngestBatch batch);

    /** A request that {@link #startAndHold} holds in progress. */
    public interface HeldRequest {

        /** Lets the request finish and returns what its {@code ingest} returned. */
        IngestOutcome finish();
    }

    // --- counters ---------------------------------------------------------------------------

    @Test
    void countsOfARowAddUpAcrossBatchesInsteadOfBeingOverwritten() {
        ReportingWindow w = window(DOMAIN);
        store().ingest(batch(result("m1", w, ROW_A), result("m2", w, ROW_A), result("m3", w, ROW_A)));
        store().ingest(batch(result("m4", w, ROW_A), result("m5", w, ROW_A), result("m6", w, ROW_B)));

        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 5L, ROW_B, 1L));
    }

    @Test
    void resultsOfABatchThatShareARowAreCountedInOneRow() {
        ReportingWindow w = window(DOMAIN);
        ReportingWindow other = window(OTHER_DOMAIN);

        IngestOutcome outcome = store().ingest(batch(
                result("m1", w, ROW_A),
                result("m2", w, ROW_B),
                result("m3", w, ROW_A),
                result("m4", other, OTHER_ROW),
                result("m5", w, ROW_A)));

        assertThat(stored(outcome).duplicateMessages()).isZero();
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 3L, ROW_B, 1L));
        assertThat(readBack().rows(other)).containsExactlyInAnyOrderEntriesOf(Map.of(OTHER_ROW, 1L));
    }

    @Test
    void aRowReadsBackExactlyAsItWasStored() {
        ReportingWindow w = window(DOMAIN);
        AggregateRow unusual = new AggregateRow(
                "2001:db8::7",
                DOMAIN,
                null,
                ReportedDisposition.NONE,
                false,
                true,
                List.of(
                        new OverrideReason("local_policy", "forwarded; \"trusted\" list"),
                        new OverrideReason("mailing_list", null)),
                List.of(new DkimAuth("lists.example.org", "s2024", "pass"), new DkimAuth(DOMAIN, "s1", "fail")),
                null);
        // The null sender ("") and an unknown MAIL FROM (null) are different rows.
        AggregateRow nullSender = new AggregateRow(
                "2001:db8::7",
                DOMAIN,
                "",
                ReportedDisposition.NONE,
                false,
                true,
                unusual.reasons(),
                unusual.dkim(),
                null);

        store().ingest(batch(result("m1", w, unusual), result("m2", w, nullSender), result("m3", w, unusual)));

        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(unusual, 2L, nullSender, 1L));
    }

    // --- windows ----------------------------------------------------------------------------

    @Test
    void theWindowIndexHoldsEachWindowOnceWithThePolicyRecordSeenLast() {
        String older = "v=DMARC1; p=none; rua=mailto:agg@example.com";
        String newer = "v=DMARC1; p=quarantine; rua=mailto:agg@example.com";
        String otherRecord = "v=DMARC1; p=reject; rua=mailto:dmarc@example.net";
        ReportingWindow w = window(DOMAIN);
        ReportingWindow other = window(OTHER_DOMAIN);
        store().ingest(batch(withRecord(result("m1", w, ROW_A), older)));
        clock.advance(Duration.ofSeconds(5));

        store().ingest(batch(
                withRecord(result("m2", w, ROW_A), older),
                withRecord(result("m3", other, OTHER_ROW), otherRecord),
                withRecord(result("m4", w, ROW_B), newer)));

        assertThat(readBack().windows()).containsExactlyInAnyOrderEntriesOf(Map.of(w, newer, other, otherRecord));
    }

    @Test
    void eachResultCountsInTheWindowItNamesAndInNoOther() {
        ReportingWindow day = window(DOMAIN);
        long cutAt = T0.getEpochSecond() - 600;
        ReportingWindow afterCut = ReportingWindows.windowFor(DOMAIN, clock.instant(), cutAt);
        ReportingWindow other = window(OTHER_DOMAIN);
        assertThat(afterCut.start()).isEqualTo(cutAt).isNotEqualTo(day.start());

        store().ingest(batch(
                result("m1", day, ROW_A),
                result("m2", afterCut, ROW_A),
                result("m3", afterCut, ROW_A),
                result("m4", other, OTHER_ROW)));
        clock.advance(Duration.ofDays(1));
        ReportingWindow nextDay = window(DOMAIN);
        store().ingest(batch(result("m5", nextDay, ROW_A)));

        assertThat(readBack().rows(day)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().rows(afterCut)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L));
        assertThat(readBack().rows(nextDay)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().rows(other)).containsExactlyInAnyOrderEntriesOf(Map.of(OTHER_ROW, 1L));
        assertThat(readBack().windows().keySet()).containsExactlyInAnyOrder(day, afterCut, nextDay, other);
        assertThat(totalCount()).isEqualTo(5);
    }

    // --- messageId de-duplication -----------------------------------------------------------

    @Test
    void aMessageIdStoredWithin24HoursIsCountedOnce() {
        ReportingWindow first = window(DOMAIN);
        store().ingest(batch(result("m1", first, ROW_A), result("m2", first, ROW_A)));
        clock.advance(Retention.DEDUPE.minusSeconds(1));
        ReportingWindow later = window(DOMAIN);

        IngestOutcome outcome = store().ingest(batch(result("m2", later, ROW_B), result("m3", later, ROW_B)));

        assertThat(stored(outcome).duplicateMessages()).isEqualTo(1);
        assertThat(readBack().rows(first)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L));
        assertThat(readBack().rows(later)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_B, 1L));
    }

    @Test
    void aMessageIdCountsAgainAfter24HoursAndIsThenRememberedAnew() {
        ReportingWindow first = window(DOMAIN);
        store().ingest(batch(result("m1", first, ROW_A)));
        clock.advance(Retention.DEDUPE.plusSeconds(1));
        ReportingWindow later = window(DOMAIN);

        IngestOutcome outcome = store().ingest(batch(result("m1", later, ROW_A)));
        IngestOutcome again = store().ingest(batch(result("m1", later, ROW_A)));

        assertThat(stored(outcome).duplicateMessages()).isZero();
        assertThat(stored(again).duplicateMessages()).isEqualTo(1);
        assertThat(readBack().rows(first)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().rows(later)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
    }

    @Test
    void aMessageIdRepeatedWithinOneBatchCountsOnceInTheRowOfItsFirstResult() {
        ReportingWindow w = window(DOMAIN);

        IngestOutcome outcome = store().ingest(batch(
                result("m1", w, ROW_A), result("m1", w, ROW_A), result("m1", w, ROW_B), result("m2", w, ROW_A)));

        assertThat(stored(outcome).duplicateMessages()).isEqualTo(2);
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L));
    }

    @Test
    void resultsWithoutAMessageIdAreNeverDuplicates() {
        ReportingWindow w = window(DOMAIN);
        IngestOutcome first = store().ingest(batch(result(null, w, ROW_A), result(null, w, ROW_A)));
        IngestOutcome second = store().ingest(batch(result(null, w, ROW_A)));

        assertThat(stored(first).duplicateMessages()).isZero();
        assertThat(stored(second).duplicateMessages()).isZero();
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 3L));
    }

    @Test
    void withDedupeOffAMessageIdCountsEachTimeAndIsNotRemembered() {
        ReportingWindow w = window(DOMAIN);
        StoredResult m1 = result("m1", w, ROW_A);
        store().ingest(batchWithDedupeOff(m1, m1));
        store().ingest(batchWithDedupeOff(m1, m1));

        IngestOutcome withDedupe = store().ingest(batch(m1));

        assertThat(stored(withDedupe).duplicateMessages()).isZero();
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 5L));
    }

    // --- Idempotency-Key --------------------------------------------------------------------

    @Test
    void aRepeatedIdempotencyKeyGetsTheFirstAnswerAndStoresNothingMore() {
        ReportingWindow w = window(DOMAIN);
        StoredResult firstFailing = withCandidate(result("m1", w, ROW_A), "cand-1");
        store().ingest(keyed("key-1", "digest-1", "[{\"messageId\":\"m1\",\"dmarc\":\"fail\"}]", firstFailing));
        clock.advance(Duration.ofSeconds(30));

        IngestOutcome retry = store().ingest(keyed(
                "key-1",
                "digest-1",
                "[\"another answer\"]",
                withCandidate(result("m2", w, ROW_B), "cand-2"),
                result(null, w, ROW_C)));

        assertThat(retry)
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(bytes("[{\"messageId\":\"m1\",\"dmarc\":\"fail\"}]")));
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().candidates()).containsExactly(firstFailing.failureCandidate());
        assertThat(readBack().windows()).containsOnlyKeys(w);
        // The replayed request left no trace of m2 either: it is not a duplicate now.
        assertThat(stored(store().ingest(batch(result("m2", w, ROW_B)))).duplicateMessages())
                .isZero();
    }

    @Test
    void anIdempotencyKeyIsRememberedEvenWhenNothingWasCounted() {
        ReportingWindow w = window(DOMAIN);
        assertThat(store().ingest(keyed("key-empty", "digest-1", "[{\"dmarc\":\"none\"}]")))
                .isInstanceOf(IngestOutcome.Stored.class);

        IngestOutcome retry = store().ingest(keyed("key-empty", "digest-1", "other", result("m1", w, ROW_A)));

        assertThat(retry)
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(bytes("[{\"dmarc\":\"none\"}]")));
        assertThat(readBack().rows(w)).isEmpty();
        assertThat(readBack().windows()).isEmpty();
    }

    @Test
    void anIdempotencyKeyIsForgottenAfter24Hours() {
        ReportingWindow first = window(DOMAIN);
        store().ingest(keyed("key-1", "digest-1", "first", result("m1", first, ROW_A)));
        clock.advance(Retention.DEDUPE.plusSeconds(1));
        ReportingWindow later = window(DOMAIN);

        IngestOutcome outcome = store().ingest(keyed("key-1", "digest-2", "second", result("m2", later, ROW_A)));
        IngestOutcome retry = store().ingest(keyed("key-1", "digest-2", "third", result("m2", later, ROW_A)));

        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(retry)
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(bytes("second")));
        assertThat(readBack().rows(first)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().rows(later)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
    }

    @Test
    void aKeyHeldByARequestInProgressAnswersInProgressAndStoresNothing() {
        ReportingWindow w = window(DOMAIN);
        IngestBatch first = keyed("key-busy", "digest-1", "first", result("m1", w, ROW_A), result("m2", w, ROW_A));
        Optional<HeldRequest> held = startAndHold(first);
        assumeTrue(held.isPresent(), "this store stores a keyed request in one step: none is ever in progress");
        Map<AggregateRow, Long> whileHeld = readBack().rows(w);

        IngestOutcome second = store().ingest(
                        keyed("key-busy", "digest-1", "second", withCandidate(result("m3", w, ROW_B), "cand-3")));

        assertThat(second).isEqualTo(new IngestOutcome.InProgress());
        assertThat(readBack().rows(w)).isEqualTo(whileHeld);
        assertThat(readBack().candidates()).isEmpty();
        assertThat(held.get().finish()).isInstanceOf(IngestOutcome.Stored.class);
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L));
        assertThat(store().ingest(keyed("key-busy", "digest-1", "third")))
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(bytes("first")));
    }

    @Test
    void theSameKeyWithAnotherRequestDigestAnswersKeyReusedAndStoresNothing() {
        ReportingWindow w = window(DOMAIN);
        StoredResult firstFailing = withCandidate(result("m1", w, ROW_A), "cand-1");
        store().ingest(keyed("key-1", "digest-1", "first", firstFailing));
        clock.advance(Duration.ofSeconds(30));
        ReportingWindow other = window(OTHER_DOMAIN);

        IngestOutcome reused = store().ingest(keyed(
                "key-1",
                "digest-2",
                "second",
                withCandidate(result("m2", w, ROW_B), "cand-2"),
                result("m3", other, OTHER_ROW)));

        assertThat(reused).isEqualTo(new IngestOutcome.KeyReused());
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
        assertThat(readBack().windows()).containsOnlyKeys(w);
        assertThat(readBack().candidates()).containsExactly(firstFailing.failureCandidate());
        // The key still answers its own request, and the refused one left no messageId behind.
        assertThat(store().ingest(keyed("key-1", "digest-1", "again", firstFailing)))
                .isInstanceOfSatisfying(
                        IngestOutcome.Replayed.class,
                        r -> assertThat(r.response()).isEqualTo(bytes("first")));
        assertThat(stored(store().ingest(batch(result("m2", w, ROW_B)))).duplicateMessages())
                .isZero();
    }

    // --- failure candidates -----------------------------------------------------------------

    @Test
    void eachFailureCandidateIsStoredOnceHoweverOftenItIsWritten() {
        ReportingWindow w = window(DOMAIN);
        StoredResult a = withCandidate(result(null, w, ROW_A), "cand-a");
        StoredResult b = withCandidate(result(null, w, ROW_B), "cand-b");
        store().ingest(batchWithDedupeOff(a, b, b));

        store().ingest(batchWithDedupeOff(a, b, b));

        assertThat(readBack().candidates()).containsExactlyInAnyOrder(a.failureCandidate(), b.failureCandidate());
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L, ROW_B, 4L));
    }

    @Test
    void aMessagePostedTwiceHasOneFailureCandidateAndCountsOnce() {
        // IngestService derives a candidate's id from the messageId, so a repeat carries the same id.
        ReportingWindow w = window(DOMAIN);
        store().ingest(batch(withCandidate(result("m1", w, ROW_A), "cand-m1")));

        IngestOutcome outcome = store().ingest(batch(withCandidate(result("m1", w, ROW_A), "cand-m1")));

        assertThat(stored(outcome).duplicateMessages()).isEqualTo(1);
        assertThat(readBack().candidates()).extracting(FailureCandidate::id).containsExactly("cand-m1");
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 1L));
    }

    @Test
    void aResultWhoseFailureCandidateIsStoredAlreadyIsStillCounted() {
        ReportingWindow w = window(DOMAIN);
        StoredResult failing = withCandidate(result("m1", w, ROW_A), "cand-1");
        store().ingest(batchWithDedupeOff(failing));

        IngestOutcome outcome = store().ingest(batch(failing));

        assertThat(stored(outcome).duplicateMessages()).isZero();
        assertThat(readBack().rows(w)).containsExactlyInAnyOrderEntriesOf(Map.of(ROW_A, 2L));
        assertThat(readBack().candidates()).containsExactly(failing.failureCandidate());
    }

    // --- send-now cuts ----------------------------------------------------------------------

    @Test
    void theLatestCutIsTheLaterOfTheDomainsOwnAndTheCutForAllDomains() {
        assertThat(store().latestCut(DOMAIN)).isZero();
        assertThat(store().latestCut(OTHER_DOMAIN)).isZero();

        recordCut(DOMAIN, 1_000);
        clock.advance(WindowTiming.CUT_CACHE); // a store may serve a cached cut for that long
        assertThat(store().latestCut(DOMAIN)).isEqualTo(1_000);
        assertThat(store().latestCut(OTHER_DOMAIN)).isZero();

        recordCut("*", 2_000);
        clock.advance(WindowTiming.CUT_CACHE);
        assertThat(store().latestCut(DOMAIN)).isEqualTo(2_000);
        assertThat(store().latestCut(OTHER_DOMAIN)).isEqualTo(2_000);

        recordCut(DOMAIN, 3_000);
        clock.advance(WindowTiming.CUT_CACHE);
        assertThat(store().latestCut(DOMAIN)).isEqualTo(3_000);
        assertThat(store().latestCut(OTHER_DOMAIN)).isEqualTo(2_000);
    }

    // --- helpers ----------------------------------------------------------------------------

    private long totalCount() {
        long total = 0;
        for (ReportingWindow w : readBack().windows().keySet()) {
            total += readBack().rows(w).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
        return total;
    }

    private static IngestOutcome.Stored stored(IngestOutcome outcome) {
        assertThat(outcome).isInstanceOf(IngestOutcome.Stored.class);
        return (IngestOutcome.Stored) outcome;
    }

    private static AggregateRow row(String domain, String sourceIp) {
        return new AggregateRow(
                sourceIp,
                domain,
                "bounce." + domain,
                ReportedDisposition.REJECT,
                false,
                false,
                List.of(),
                List.of(new DkimAuth(domain, "s1", "fail")),
                new SpfAuth("bounce." + domain, "mfrom", "fail"));
    }

    /** The day window of {@code domain} at the clock's time (no send-now cut). */
    private ReportingWindow window(String domain) {
        return ReportingWindows.windowFor(domain, clock.instant(), 0);
    }

    private static StoredResult result(String messageId, ReportingWindow window, AggregateRow row) {
        return new StoredResult(messageId, window, row, RECORD, null, 0);
    }

    private static StoredResult withRecord(StoredResult r, String policyRecord) {
        return new StoredResult(
                r.messageId(), r.window(), r.row(), policyRecord, r.failureCandidate(), r.requestIndex());
    }

    private StoredResult withCandidate(StoredResult r, String candidateId) {
        String domain = r.window().policyDomain();
        Instant now = clock.instant();
        AuthenticationResult posted = new AuthenticationResult(
                r.messageId(),
                now,
                r.row().sourceIp(),
                25,
                "mx.attacker.test",
                "bounce@attacker.test",
                List.of("bob@example.org"),
                "Billing <billing@" + domain + ">",
                new SpfCheck(SpfResult.FAIL, "attacker.test", SpfScope.MFROM),
                List.of(),
                "From: billing@" + domain + "\r\nSubject: invoice\r\n");
        FailureCandidate candidate = new FailureCandidate(
                candidateId,
                domain,
                r.policyRecord(),
                Set.of(FailureTrigger.DMARC_ALL_FAILED),
                posted,
                new Verdict(r.messageId(), domain, DmarcResult.FAIL, Policy.REJECT, false, false),
                now);
        return new StoredResult(r.messageId(), r.window(), r.row(), r.policyRecord(), candidate, r.requestIndex());
    }

    private IngestBatch batch(StoredResult... results) {
        return new IngestBatch(null, null, bytes("[]"), numbered(results), true, clock.instant());
    }

    private IngestBatch batchWithDedupeOff(StoredResult... results) {
        return new IngestBatch(null, null, bytes("[]"), numbered(results), false, clock.instant());
    }

    private IngestBatch keyed(String key, String digest, String response, StoredResult... results) {
        return new IngestBatch(key, digest, bytes(response), numbered(results), true, clock.instant());
    }

    /** Request indexes by position, as IngestService numbers them. */
    private static List<StoredResult> numbered(StoredResult... results) {
        List<StoredResult> out = new ArrayList<>(results.length);
        for (StoredResult r : Arrays.asList(results)) {
            out.add(new StoredResult(
                    r.messageId(), r.window(), r.row(), r.policyRecord(), r.failureCandidate(), out.size()));
        }
        return out;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
