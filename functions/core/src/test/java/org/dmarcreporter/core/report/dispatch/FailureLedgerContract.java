package org.dmarcreporter.core.report.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dmarcreporter.core.report.dispatch.FailureLedger.DueSlot;
import org.dmarcreporter.core.report.dispatch.FailureLedger.Join;
import org.dmarcreporter.core.report.dispatch.FailureLedger.TakenSlot;
import org.junit.jupiter.api.Test;

/**
 * What every {@link FailureLedger} must do, whatever stores it: extend this class with a fresh,
 * empty ledger per test (the SQLite and DynamoDB ledgers will; {@link InMemoryFailureLedgerTest}
 * does). The tests only use the port, with times given explicitly.
 */
public abstract class FailureLedgerContract {

    protected static final long T0 = 1764547200L;
    protected static final long DAY = 86_400L;

    /** A fresh, empty ledger. */
    protected abstract FailureLedger ledger();

    /** False for a ledger whose flushes are scheduled durably and which does not list due slots. */
    protected boolean listsDueSlots() {
        return true;
    }

    /** Threads for the race tests; an implementation that is not thread-safe (moto) may lower it. */
    protected int threads() {
        return 8;
    }

    // --- send markers ---

    @Test
    void aSendMarkerIsWrittenOncePerReportAndRecipient() {
        FailureLedger l = ledger();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY)).isTrue();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 1, T0 + DAY)).isFalse();
        assertThat(l.claimSend("c1/dmarc", "other@example.com", T0, T0 + DAY)).isTrue();
        assertThat(l.claimSend("c1/spf", "ruf@example.com", T0, T0 + DAY)).isTrue();
        assertThat(l.claimSend("c2/dmarc", "ruf@example.com", T0, T0 + DAY)).isTrue();
        // keys are compared exactly
        assertThat(l.claimSend("C1/dmarc", "ruf@example.com", T0, T0 + DAY)).isTrue();
        assertThat(l.claimSend("c1/dmarc", "RUF@example.com", T0, T0 + DAY)).isTrue();
    }

    @Test
    void aReleasedMarkerCanBeClaimedAgainAndReleasingNothingIsHarmless() {
        FailureLedger l = ledger();
        l.releaseSend("never/dmarc", "ruf@example.com");
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY)).isTrue();
        l.releaseSend("c1/dmarc", "ruf@example.com");
        l.releaseSend("c1/dmarc", "ruf@example.com");
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 5, T0 + DAY)).isTrue();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 6, T0 + DAY)).isFalse();
    }

    @Test
    void anExpiredMarkerCountsAsAbsent() {
        FailureLedger l = ledger();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + 100)).isTrue();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 99, T0 + 200))
                .isFalse();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 100, T0 + 200))
                .isTrue();
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0 + 150, T0 + 300))
                .isFalse();
    }

    @Test
    void racingClaimsOfOneMarkerHaveOneWinner() throws Exception {
        FailureLedger l = ledger();
        List<Boolean> answers = race(i -> l.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY));
        assertThat(answers).containsOnlyOnce(true);
    }

    @Test
    void longKeysAndNonAsciiAddressesWork() {
        FailureLedger l = ledger();
        String key = "k".repeat(FailureLedger.MAX_KEY_BYTES);
        String rcpt = "rüf@exämple.com";
        assertThat(l.claimSend(key, rcpt, T0, T0 + DAY)).isTrue();
        assertThat(l.claimSend(key, rcpt, T0, T0 + DAY)).isFalse();
        assertThat(l.joinSlot(key, "r", T0, T0 + 10)).isEqualTo(new Join.Opened(T0 + 10));
        assertThat(l.takeToken(key, T0, 1, T0 + 3600)).isTrue();
    }

    // --- merge slots ---

    @Test
    void theFirstIncidentOpensTheSlotAndTheNextOnesAreHeld() {
        FailureLedger l = ledger();
        assertThat(l.joinSlot("s1", "first", T0, T0 + 10)).isEqualTo(new Join.Opened(T0 + 10));
        assertThat(l.joinSlot("s1", "second", T0 + 1, T0 + 11)).isEqualTo(new Join.Joined(1, T0 + 10));
        assertThat(l.joinSlot("s1", "third", T0 + 2, T0 + 12)).isEqualTo(new Join.Joined(2, T0 + 10));
        assertThat(l.joinSlot("s2", "other", T0 + 2, T0 + 12)).isEqualTo(new Join.Opened(T0 + 12));

        // the representative is the first held incident, not the one sent at once
        assertThat(l.takeSlot("s1", T0 + 10, T0 + 20)).contains(new TakenSlot(2, "second", T0 + 1));
        assertThat(l.takeSlot("s1", T0 + 10, T0 + 20)).isEmpty();
        assertThat(l.takeSlot("s2", T0 + 12, T0 + 22)).isEmpty();
    }

    @Test
    void aTakenSlotStaysOpenForTheNextWindow() {
        FailureLedger l = ledger();
        l.joinSlot("s1", "first", T0, T0 + 10);
        l.joinSlot("s1", "second", T0 + 1, T0 + 11);
        assertThat(l.takeSlot("s1", T0 + 10, T0 + 20)).contains(new TakenSlot(1, "second", T0 + 1));
        assertThat(l.joinSlot("s1", "fourth", T0 + 15, T0 + 25)).isEqualTo(new Join.Joined(1, T0 + 20));
        assertThat(l.takeSlot("s1", T0 + 20, T0 + 30)).contains(new TakenSlot(1, "fourth", T0 + 15));
        // nothing joined in the last window: the slot closes at its dueAt and the next incident opens it
        assertThat(l.joinSlot("s1", "late", T0 + 29, T0 + 39)).isEqualTo(new Join.Joined(1, T0 + 30));
        assertThat(l.takeSlot("s1", T0 + 30, T0 + 40)).contains(new TakenSlot(1, "late", T0 + 29));
        assertThat(l.joinSlot("s1", "later", T0 + 40, T0 + 50)).isEqualTo(new Join.Opened(T0 + 50));
    }

    @Test
    void anEmptySlotClosesAtItsDueTime() {
        FailureLedger l = ledger();
        assertThat(l.joinSlot("s1", "a", T0, T0 + 10)).isEqualTo(new Join.Opened(T0 + 10));
        assertThat(l.joinSlot("s1", "b", T0 + 9, T0 + 19)).isEqualTo(new Join.Joined(1, T0 + 10));
        assertThat(l.takeSlot("s1", T0 + 9, T0 + 19)).contains(new TakenSlot(1, "b", T0 + 9));
        assertThat(l.joinSlot("s1", "c", T0 + 19, T0 + 29)).isEqualTo(new Join.Opened(T0 + 29));
        assertThat(l.joinSlot("s1", "d", T0 + 100, T0 + 110)).isEqualTo(new Join.Opened(T0 + 110));
    }

    @Test
    void aSlotHoldingIncidentsIsNotClosedByALateFlush() {
        FailureLedger l = ledger();
        l.joinSlot("s1", "a", T0, T0 + 10);
        l.joinSlot("s1", "b", T0 + 5, T0 + 15);
        // the flush is late: new incidents still join, none is lost
        assertThat(l.joinSlot("s1", "c", T0 + 500, T0 + 510)).isEqualTo(new Join.Joined(2, T0 + 10));
        assertThat(l.takeSlot("s1", T0 + 600, T0 + 610)).contains(new TakenSlot(2, "b", T0 + 5));
    }

    @Test
    void aSlotPastItsRetentionCountsAsAbsent() {
        FailureLedger l = ledger();
        l.joinSlot("s1", "a", T0, T0 + 10);
        l.joinSlot("s1", "b", T0 + 1, T0 + 11);
        long gone = T0 + 10 + FailureLedger.SLOT_RETENTION_SECONDS;
        assertThat(l.takeSlot("s1", gone, gone + 10)).isEmpty();
        assertThat(l.joinSlot("s1", "c", gone, gone + 10)).isEqualTo(new Join.Opened(gone + 10));

        l.joinSlot("s2", "a", T0, T0 + 10);
        l.joinSlot("s2", "b", T0 + 1, T0 + 11);
        assertThat(l.joinSlot("s2", "c", gone, gone + 10)).isEqualTo(new Join.Opened(gone + 10));
        assertThat(l.takeSlot("s2", gone, gone + 10)).isEmpty();
    }

    @Test
    void takingAnOpenEmptySlotChangesNothing() {
        FailureLedger l = ledger();
        assertThat(l.takeSlot("none", T0, T0 + 10)).isEmpty();
        l.joinSlot("s1", "a", T0, T0 + 10);
        assertThat(l.takeSlot("s1", T0 + 1, T0 + 100)).isEmpty();
        // still open until T0 + 10, not T0 + 100
        assertThat(l.joinSlot("s1", "b", T0 + 2, T0 + 12)).isEqualTo(new Join.Joined(1, T0 + 10));
        assertThat(l.takeSlot("s1", T0 + 3, T0 + 13)).contains(new TakenSlot(1, "b", T0 + 2));
        assertThat(l.joinSlot("s1", "c", T0 + 13, T0 + 23)).isEqualTo(new Join.Opened(T0 + 23));
    }

    @Test
    void aSlotMayBeTakenBeforeItsDueTime() {
        FailureLedger l = ledger();
        l.joinSlot("s1", "a", T0, T0 + 10);
        l.joinSlot("s1", "b", T0 + 1, T0 + 11);
        assertThat(l.takeSlot("s1", T0 + 2, T0 + 12)).contains(new TakenSlot(1, "b", T0 + 1));
    }

    @Test
    void holdPutsIncidentsBackAndKeepsTheOldestTimeAndTheLatestDueTime() {
        FailureLedger l = ledger();
        assertThat(l.hold("s1", "rep", 3, T0, T0 + 5, T0 + 3600)).isEqualTo(3);
        assertThat(l.hold("s1", "ignored", 2, T0 + 2, T0 + 6, T0 + 60)).isEqualTo(5);
        assertThat(l.joinSlot("s1", "ignored too", T0 + 7, T0 + 17)).isEqualTo(new Join.Joined(6, T0 + 3600));
        assertThat(l.takeSlot("s1", T0 + 3600, T0 + 3610)).contains(new TakenSlot(6, "rep", T0));
    }

    @Test
    void holdIntoAnOpenSlotExtendsItAndIntoAClosedOneOpensIt() {
        FailureLedger l = ledger();
        l.joinSlot("s1", "sent", T0, T0 + 10);
        assertThat(l.hold("s1", "refused", 1, T0, T0, T0 + 3600)).isEqualTo(1);
        assertThat(l.joinSlot("s1", "next", T0 + 20, T0 + 30)).isEqualTo(new Join.Joined(2, T0 + 3600));
        assertThat(l.takeSlot("s1", T0 + 3600, T0 + 3610)).contains(new TakenSlot(2, "refused", T0));

        l.joinSlot("s2", "sent", T0, T0 + 10);
        assertThat(l.hold("s2", "back", 4, T0 + 1, T0 + 50, T0 + 60)).isEqualTo(4);
        assertThat(l.joinSlot("s2", "x", T0 + 55, T0 + 65)).isEqualTo(new Join.Joined(5, T0 + 60));
        assertThat(l.takeSlot("s2", T0 + 60, T0 + 70)).contains(new TakenSlot(5, "back", T0 + 1));
    }

    @Test
    void racingJoinsAndTakesLoseAndRepeatNoIncident() throws Exception {
        FailureLedger l = ledger();
        assertThat(l.joinSlot("s1", "open", T0, T0 + 10)).isInstanceOf(Join.Opened.class);
        int perThread = 25;
        List<Long> taken = race(i -> {
            long sum = 0;
            for (int k = 0; k < perThread; k++) {
                if (i % 2 == 0) {
                    assertThat(l.joinSlot("s1", "t" + i, T0 + 1, T0 + 11)).isInstanceOf(Join.Joined.class);
                } else {
                    sum += l.takeSlot("s1", T0 + 1, T0 + 11)
                            .map(TakenSlot::heldCount)
                            .orElse(0L);
                }
            }
            return sum;
        });
        long joined = (long) perThread * ((threads() + 1) / 2);
        long rest = l.takeSlot("s1", T0 + 2, T0 + 12).map(TakenSlot::heldCount).orElse(0L);
        assertThat(taken.stream().mapToLong(Long::longValue).sum() + rest).isEqualTo(joined);
    }

    @Test
    void representativesUpToTheLimitComeBackUnchanged() {
        FailureLedger l = ledger();
        String chunk = "{\"ä\":\"\\r\\n\\u0000 x\"}\n\t€";
        int chunkBytes = chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        StringBuilder b = new StringBuilder();
        for (int bytes = 0; bytes + chunkBytes <= FailureLedger.MAX_REPRESENTATIVE_BYTES; bytes += chunkBytes) {
            b.append(chunk);
        }
        String rep = b.toString();
        assertThat(rep.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(FailureLedger.MAX_REPRESENTATIVE_BYTES);
        l.joinSlot("s1", "a", T0, T0 + 10);
        l.joinSlot("s1", rep, T0 + 1, T0 + 11);
        Optional<TakenSlot> taken = l.takeSlot("s1", T0 + 10, T0 + 20);
        assertThat(taken).isPresent();
        assertThat(taken.get().representative()).isEqualTo(rep);
    }

    @Test
    void slotsMarkersAndBucketsAreSeparateKeySpaces() {
        FailureLedger l = ledger();
        assertThat(l.claimSend("same", "same", T0, T0 + DAY)).isTrue();
        assertThat(l.joinSlot("same", "a", T0, T0 + 10)).isInstanceOf(Join.Opened.class);
        assertThat(l.takeToken("same", T0, 1, T0 + 3600)).isTrue();
        assertThat(l.joinSlot("Same", "a", T0, T0 + 10)).isInstanceOf(Join.Opened.class);
    }

    // --- rate limits ---

    @Test
    void aBucketGivesAtMostItsLimitPerPeriod() {
        FailureLedger l = ledger();
        for (int i = 0; i < 3; i++) {
            assertThat(l.takeToken("dest:a", T0, 3, T0 + 3600)).isTrue();
        }
        assertThat(l.takeToken("dest:a", T0, 3, T0 + 3600)).isFalse();
        assertThat(l.takeToken("dest:a", T0, 3, T0 + 3600)).isFalse();
        // a raised limit counts what was taken already
        assertThat(l.takeToken("dest:a", T0, 4, T0 + 3600)).isTrue();
        assertThat(l.takeToken("dest:a", T0, 4, T0 + 3600)).isFalse();
        // the next period and other keys are separate counters
        assertThat(l.takeToken("dest:a", T0 + 3600, 3, T0 + 7200)).isTrue();
        assertThat(l.takeToken("dest:b", T0, 3, T0 + 3600)).isTrue();
        assertThat(l.takeToken("dest:a", T0, 1, T0 + 3600)).isFalse();
    }

    @Test
    void racingTokensNeverExceedTheLimit() throws Exception {
        FailureLedger l = ledger();
        List<Long> granted = race(i -> {
            long n = 0;
            for (int k = 0; k < 20; k++) {
                if (l.takeToken("all", T0, 50, T0 + 60)) {
                    n++;
                }
            }
            return n;
        });
        long total = granted.stream().mapToLong(Long::longValue).sum();
        assertThat(total).isEqualTo(Math.min(50, 20L * threads()));
    }

    // --- due slots ---

    @Test
    void dueSlotsListsHeldSlotsPastTheirDueTimeEarliestFirst() {
        assumeTrue(listsDueSlots(), "this ledger does not list due slots");
        FailureLedger l = ledger();
        for (int i = 0; i < 5; i++) {
            l.joinSlot("s" + i, "a", T0, T0 + 10 + i);
        }
        l.joinSlot("s3", "b", T0 + 1, T0 + 11);
        l.joinSlot("s1", "b", T0 + 1, T0 + 11);
        l.joinSlot("s4", "b", T0 + 1, T0 + 11);
        l.hold("h", "c", 2, T0, T0, T0 + 5);
        // s0 and s2 hold nothing; s4 is not due yet
        assertThat(l.dueSlots(T0 + 13, 10))
                .containsExactly(new DueSlot("h", T0 + 5), new DueSlot("s1", T0 + 11), new DueSlot("s3", T0 + 13));
        assertThat(l.dueSlots(T0 + 13, 2)).containsExactly(new DueSlot("h", T0 + 5), new DueSlot("s1", T0 + 11));
        l.takeSlot("s1", T0 + 13, T0 + 23);
        assertThat(l.dueSlots(T0 + 100, FailureLedger.MAX_PAGE))
                .containsExactly(new DueSlot("h", T0 + 5), new DueSlot("s3", T0 + 13), new DueSlot("s4", T0 + 14));
        assertThat(l.dueSlots(T0 + 5 + FailureLedger.SLOT_RETENTION_SECONDS, 10))
                .containsExactly(new DueSlot("s3", T0 + 13), new DueSlot("s4", T0 + 14));
    }

    /** Runs {@code task(i)} on {@link #threads()} threads at once and returns the answers in order. */
    protected <T> List<T> race(IndexedTask<T> task) throws Exception {
        int n = threads();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> c = () -> {
                    start.await();
                    return task.run(index);
                };
                futures.add(pool.submit(c));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A task of {@link #race}. */
    @FunctionalInterface
    protected interface IndexedTask<T> {
        T run(int index) throws Exception;
    }
}
