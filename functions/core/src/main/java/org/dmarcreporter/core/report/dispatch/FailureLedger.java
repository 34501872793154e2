package org.dmarcreporter.core.report.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the failure-report sender keeps in the store: send markers, merge slots and rate-limit
 * buckets (DynamoDB in AWS, SQLite locally, memory in tests; {@code docs/failure-reports.md}).
 * Every method is one atomic step (a DynamoDB conditional write or transaction, one SQLite
 * transaction): two callers racing on the same key see the effects one after the other, never
 * interleaved. All times are epoch seconds as given by the caller; an implementation never reads
 * a clock of its own, so that tests can move time.
 *
 * <p>Keys are opaque to the ledger: non-empty strings of at most {@link #MAX_KEY_BYTES} UTF-8
 * bytes each (a marker's report key and recipient each), compared exactly (case-sensitive). Markers, slots and buckets live in separate key
 * spaces: the same string used as a slot key and a bucket key names two different things.
 *
 * <p>Expiry: a marker whose {@code expiresAt <= now}, or a slot holding incidents whose
 * {@code dueAt + SLOT_RETENTION_SECONDS <= now}, counts as absent for every method given that
 * {@code now}, whether or not the implementation has removed it yet (DynamoDB TTL removes items
 * up to days late: the condition of each write must treat an expired item as absent). Rate-limit
 * counters are only ever used before their {@code expiresAt}, so their expiry is housekeeping.
 */
public interface FailureLedger {

    /** The longest key (marker report key plus recipient, slot key, bucket key) in UTF-8 bytes. */
    int MAX_KEY_BYTES = 512;

    /**
     * The longest representative a slot keeps, in UTF-8 bytes (a DynamoDB item holds 400 KB; the
     * dispatcher never passes a longer one).
     */
    int MAX_REPRESENTATIVE_BYTES = 256 * 1024;

    /** For implementations: refuses a key that is empty or longer than {@link #MAX_KEY_BYTES}. */
    static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("ledger key must be 1 to " + MAX_KEY_BYTES + " UTF-8 bytes");
        }
    }

    /** For implementations: refuses a representative longer than {@link #MAX_REPRESENTATIVE_BYTES}. */
    static void checkRepresentative(String representative) {
        if (representative == null
                || representative.getBytes(StandardCharsets.UTF_8).length > MAX_REPRESENTATIVE_BYTES) {
            throw new IllegalArgumentException("representative must be at most " + MAX_REPRESENTATIVE_BYTES + " bytes");
        }
    }

    /**
     * How long a slot holding incidents is kept after its {@code dueAt} when nobody takes it (a
     * lost flush): after that it counts as absent and its incidents are gone.
     */
    long SLOT_RETENTION_SECONDS = 7 * 86_400L;

    /** The largest page {@link #dueSlots} must serve; callers never ask for more. */
    int MAX_PAGE = 1_000;

    /**
     * Writes the send marker of one report to one recipient, if there is none: a conditional
     * write (DynamoDB {@code attribute_not_exists} or expired; SQLite {@code INSERT ... ON
     * CONFLICT DO NOTHING} or replace when expired).
     *
     * @param reportKey the report's {@code FeedbackReport.key()} ({@code <candidate id>/dmarc}, ...)
     * @param recipient the recipient's address, exactly as the plan gives it
     * @param now       the caller's clock
     * @param expiresAt the marker is kept until then at least (after it, it counts as absent)
     * @return true when this call wrote the marker; false (and nothing changed) when an unexpired
     *     marker for the same {@code (reportKey, recipient)} exists, whoever wrote it
     */
    boolean claimSend(String reportKey, String recipient, long now, long expiresAt);

    /**
     * Removes the send marker of {@code (reportKey, recipient)} so that a later {@link #claimSend}
     * succeeds again (the send failed temporarily and the caller will retry). Removing a marker
     * that does not exist does nothing; never fails for that.
     */
    void releaseSend(String reportKey, String recipient);

    /**
     * Adds one incident to the slot {@code slotKey}, or opens the slot. In one atomic step:
     * <ul>
     *   <li>when the slot is <em>closed</em> (absent, expired, or holding no incident with
     *       {@code dueAt <= now}): the slot becomes open and empty ({@code heldCount = 0}, no
     *       representative, no {@code heldSince}) with {@code dueAt = openUntil}, and the answer
     *       is {@link Join.Opened} with that {@code dueAt}. The caller sends this incident itself
     *       and nothing of it is kept in the slot;</li>
     *   <li>otherwise (open: {@code dueAt > now}, or holding at least one incident whatever its
     *       {@code dueAt}): {@code heldCount} grows by one; when it was 0, {@code representative}
     *       is stored as the slot's representative and {@code heldSince = now}; when it was more,
     *       the stored representative and {@code heldSince} stay and {@code representative} is
     *       ignored. {@code dueAt} stays. The answer is {@link Join.Joined} with the new count and
     *       the slot's {@code dueAt}.</li>
     * </ul>
     * A slot holding incidents is never closed by time alone: only {@link #takeSlot} empties it, so
     * no held incident is lost while its flush is late.
     *
     * @param representative opaque text (at most {@link #MAX_REPRESENTATIVE_BYTES}), returned by
     *                       {@link #takeSlot} as is
     * @param openUntil      greater than {@code now}
     */
    Join joinSlot(String slotKey, String representative, long now, long openUntil);

    /**
     * Puts {@code count} incidents into the slot {@code slotKey} (incidents a flush took and could
     * not send, or one the rate limit refused): in one atomic step, the slot is created open and
     * empty first when it is closed at {@code now} (see {@link #joinSlot}); then {@code heldCount += count}; when
     * the slot had no representative, {@code representative} becomes it; {@code heldSince} becomes
     * the smaller of the stored one (if any) and the given one; {@code dueAt} becomes the larger of
     * the stored one (if the slot was open) and the given one.
     *
     * @param count     at least 1
     * @param heldSince when the oldest of these incidents was first held; at most {@code now}
     * @param dueAt     when the slot should be flushed at the earliest
     * @return the slot's {@code heldCount} after this call (equal to {@code count} when the slot
     *     held nothing before: the caller then schedules its flush)
     */
    long hold(String slotKey, String representative, long count, long heldSince, long now, long dueAt);

    /**
     * Takes what a slot holds, at most once: in one atomic step, when the slot holds at least one
     * incident, answers its {@code heldCount}, representative and {@code heldSince}, and leaves the
     * slot open and empty with {@code dueAt = reopenUntil} (so that incidents arriving in the next
     * window are merged too). When the slot is absent, expired or holds nothing, answers empty and
     * changes nothing. Two concurrent calls never both answer the same incidents.
     *
     * @param reopenUntil greater than {@code now}
     */
    Optional<TakenSlot> takeSlot(String slotKey, long now, long reopenUntil);

    /**
     * Counts one report against a rate limit, if the limit allows it: in one atomic step, the
     * counter of {@code (bucketKey, bucketStart)} (0 when absent) is incremented when it is below
     * {@code limit}. Counters of different {@code bucketStart}s are independent: a new period is a
     * new counter, no reset needed.
     *
     * @param bucketStart the start of the period (epoch seconds), e.g. the hour
     * @param limit       at least 1 (the caller does not call at all when a limit is off)
     * @param expiresAt   the counter is kept until then at least (the end of the period or later);
     *                    the caller never uses the bucket after it
     * @return true when this call incremented it; false (and nothing changed) when it was at the
     *     limit already. Over any number of concurrent calls, at most {@code limit} answer true.
     */
    boolean takeToken(String bucketKey, long bucketStart, long limit, long expiresAt);

    /**
     * Slots that hold at least one incident and whose {@code dueAt <= now}, at most {@code limit},
     * earliest {@code dueAt} first: the local sender calls this after a restart, because its
     * in-process timers are gone. A slot taken meanwhile may still be listed (a later
     * {@link #takeSlot} answers empty). Implementations whose flushes are scheduled durably (SQS)
     * may throw {@link UnsupportedOperationException}.
     *
     * @param limit 1 to {@link #MAX_PAGE}
     */
    List<DueSlot> dueSlots(long now, int limit);

    /** What {@link #joinSlot} did. */
    sealed interface Join {

        /** The slot was closed and is now open until {@code dueAt}: send this incident now. */
        record Opened(long dueAt) implements Join {}

        /**
         * The incident is held in an open slot, which now holds {@code heldCount} (1 means this
         * one is the first held: schedule the slot's flush at {@code dueAt}).
         */
        record Joined(long heldCount, long dueAt) implements Join {
            public Joined {
                if (heldCount < 1) {
                    throw new IllegalArgumentException("heldCount must be at least 1: " + heldCount);
                }
            }
        }
    }

    /**
     * What {@link #takeSlot} took.
     *
     * @param heldCount      at least 1
     * @param representative as given by the call that made the count leave 0
     * @param heldSince      when the oldest of the held incidents was put in
     */
    record TakenSlot(long heldCount, String representative, long heldSince) {
        public TakenSlot {
            Objects.requireNonNull(representative, "representative");
            if (heldCount < 1) {
                throw new IllegalArgumentException("heldCount must be at least 1: " + heldCount);
            }
        }
    }

    /** A slot listed by {@link #dueSlots}. */
    record DueSlot(String slotKey, long dueAt) {
        public DueSlot {
            Objects.requireNonNull(slotKey, "slotKey");
        }
    }
}
