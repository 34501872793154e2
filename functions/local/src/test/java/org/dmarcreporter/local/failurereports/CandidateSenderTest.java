package org.dmarcreporter.local.failurereports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindows;
import org.dmarcreporter.local.store.SqliteFailureMetrics;
import org.dmarcreporter.local.store.SqliteFailureQueue;
import org.dmarcreporter.local.store.SqliteFailureQueue.Pending;
import org.dmarcreporter.local.store.SqliteResultStore;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sender does with each dispatch outcome: done, put off with back-off, given up and counted. */
class CandidateSenderTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String RECORD = "v=DMARC1; p=reject; ruf=mailto:fail@example.com; fo=1";

    @TempDir
    Path dataDir;

    private SqliteResultStore store;
    private SqliteFailureQueue queue;
    private SqliteFailureMetrics metrics;
    private final MutableClock clock = new MutableClock(T0);
    private final List<Boolean> answers = new ArrayList<>();
    private final List<String> dispatched = new ArrayList<>();

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL);
        queue = new SqliteFailureQueue(store);
        metrics = new SqliteFailureMetrics(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private CandidateSender sender(Backoff backoff) {
        Dispatch dispatch = new Dispatch() {
            @Override
            public boolean dispatch(FailureCandidate candidate, long now) {
                dispatched.add(candidate.id());
                return answers.isEmpty() ? false : answers.remove(0);
            }

            @Override
            public boolean flush(String slotKey, long now) {
                return false;
            }
        };
        return new CandidateSender(queue, metrics, dispatch, clock, backoff);
    }

    private void store(String... ids) {
        List<StoredResult> results = new ArrayList<>();
        for (String id : ids) {
            AggregateRow row = new AggregateRow(
                    "203.0.113.66",
                    "example.com",
                    "attacker.test",
                    ReportedDisposition.REJECT,
                    false,
                    false,
                    List.of(),
                    List.of(new DkimAuth("example.com", "s1", "fail")),
                    new SpfAuth("attacker.test", "mfrom", "fail"));
            AuthenticationResult posted = new AuthenticationResult(
                    "<" + id + "@attacker.test>",
                    T0,
                    "203.0.113.66",
                    null,
                    "attacker.test",
                    "billing@attacker.test",
                    List.of("bob@example.org"),
                    "billing@example.com",
                    new SpfCheck(SpfResult.FAIL, "attacker.test", SpfScope.MFROM),
                    List.of(),
                    "From: billing@example.com\r\n");
            FailureCandidate candidate = new FailureCandidate(
                    id,
                    "example.com",
                    RECORD,
                    Set.of(FailureTrigger.DMARC_ANY_FAILED),
                    posted,
                    new Verdict(posted.messageId(), "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
                    clock.instant());
            results.add(new StoredResult(
                    posted.messageId(),
                    ReportingWindows.windowFor("example.com", clock.instant(), 0),
                    row,
                    RECORD,
                    candidate,
                    0));
        }
        store.ingest(new IngestBatch(null, "[]".getBytes(StandardCharsets.UTF_8), results, true, clock.instant()));
    }

    private List<Pending> due() {
        return queue.due(clock.instant().getEpochSecond(), 100, new ArrayList<>());
    }

    @Test
    void aCandidateWhoseDispatchNeedsNoRetryIsDoneAndNotListedAgain() {
        store("c1", "c2");
        CandidateSender sender = sender(Backoff.CANDIDATES);
        List<Pending> due = due();
        assertThat(due).extracting(p -> p.candidate().id()).containsExactly("c1", "c2");

        sender.handle(due.get(0));

        assertThat(due()).extracting(p -> p.candidate().id()).containsExactly("c2");
        assertThat(queue.pending(clock.instant().getEpochSecond())).isEqualTo(1);
    }

    @Test
    void aRetryableCandidateIsPutOffWithGrowingDelaysThenGivenUpAndCounted() {
        store("c1");
        CandidateSender sender = sender(new Backoff(3, Duration.ofSeconds(10), Duration.ofSeconds(15)));
        answers.addAll(List.of(true, true, true));

        sender.handle(due().get(0)); // attempt 1: put off 10 s
        assertThat(due()).isEmpty();
        clock.advance(Duration.ofSeconds(9));
        assertThat(due()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        Pending again = due().get(0);
        assertThat(again.attempts()).isEqualTo(1);

        sender.handle(again); // attempt 2: put off 15 s (20 s capped)
        clock.advance(Duration.ofSeconds(14));
        assertThat(due()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        Pending last = due().get(0);
        assertThat(last.attempts()).isEqualTo(2);

        sender.handle(last); // attempt 3 of 3: given up
        clock.advance(Duration.ofSeconds(3600));
        assertThat(due()).isEmpty();
        assertThat(queue.pending(clock.instant().getEpochSecond())).isZero();
        assertThat(dispatched).containsExactly("c1", "c1", "c1");
        assertThat(metrics.read()).containsEntry(CandidateSender.GAVE_UP, 1L);
    }

    @Test
    void aRestartMakesPutOffCandidatesDueAtOnceKeepingTheirAttempts() {
        store("c1");
        CandidateSender sender = sender(Backoff.CANDIDATES);
        answers.add(true);
        sender.handle(due().get(0));
        assertThat(due()).isEmpty();

        queue.retryPutOffNow(clock.instant().getEpochSecond());

        assertThat(due())
                .singleElement()
                .satisfies(p -> assertThat(p.attempts()).isEqualTo(1));
    }

    @Test
    void backOffDoublesUpToTheLongestDelay() {
        Backoff b = new Backoff(8, Duration.ofSeconds(15), Duration.ofMinutes(30));
        assertThat(List.of(b.delaySeconds(1), b.delaySeconds(2), b.delaySeconds(3), b.delaySeconds(8)))
                .containsExactly(15L, 30L, 60L, 1800L);
    }
}
