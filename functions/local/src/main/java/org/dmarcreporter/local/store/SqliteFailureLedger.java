package org.dmarcreporter.local.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.dmarcreporter.core.report.dispatch.FailureLedger;

/**
 * The failure-report sender's {@link FailureLedger} in the local runtime's SQLite file, sharing
 * the {@link SqliteResultStore}'s connection and lock (one writer at a time, like ingest): every
 * method is one statement or one transaction under that lock, which gives the atomic steps the
 * port asks for, and is committed before it returns, so it survives {@code kill -9}. Commits are
 * forced to the disk by {@link #sync}, which the sender calls before each send (so a power loss
 * never loses the marker of a report that went out), not at every step (see
 * {@link FailureTables#relaxed}).
 *
 * <p>Conditional writes are SQLite upserts whose {@code DO UPDATE ... WHERE} holds the condition
 * (an expired marker is replaced; a bucket at its limit is left alone); the number of changed rows
 * says whether the condition held. Expired rows are deleted by {@link #purgeExpired}.
 */
public final class SqliteFailureLedger implements FailureLedger {

    private final SqliteResultStore store;
    private final PreparedStatement claim;
    private final PreparedStatement release;
    private final PreparedStatement readSlot;
    private final PreparedStatement writeSlot;
    private final PreparedStatement token;
    private final PreparedStatement due;

    public SqliteFailureLedger(SqliteResultStore store) {
        this.store = Objects.requireNonNull(store, "store");
        FailureTables.create(store);
        List<PreparedStatement> s = store.prepare(
                "INSERT INTO failure_send_markers (report_key, recipient, expires_at)"
                        + " VALUES (?, ?, ?) ON CONFLICT (report_key, recipient) DO UPDATE"
                        + " SET expires_at = excluded.expires_at WHERE failure_send_markers.expires_at <= ?",
                "DELETE FROM failure_send_markers WHERE report_key = ? AND recipient = ?",
                "SELECT held_count, representative, held_since, due_at FROM failure_slots WHERE slot_key = ?",
                "INSERT OR REPLACE INTO failure_slots"
                        + " (slot_key, held_count, representative, held_since, due_at) VALUES (?, ?, ?, ?, ?)",
                "INSERT INTO failure_rate_buckets (bucket_key, bucket_start, taken, expires_at)"
                        + " VALUES (?, ?, 1, ?) ON CONFLICT (bucket_key, bucket_start) DO UPDATE"
                        + " SET taken = taken + 1, expires_at = max(expires_at, excluded.expires_at)"
                        + " WHERE taken < ?",
                "SELECT slot_key, due_at FROM failure_slots WHERE held_count > 0"
                        + " AND due_at <= ? AND due_at > ? ORDER BY due_at, slot_key LIMIT ?");
        claim = s.get(0);
        release = s.get(1);
        readSlot = s.get(2);
        writeSlot = s.get(3);
        token = s.get(4);
        due = s.get(5);
    }

    @Override
    public boolean claimSend(String reportKey, String recipient, long now, long expiresAt) {
        FailureLedger.checkKey(reportKey);
        FailureLedger.checkKey(recipient);
        return FailureTables.relaxed(store, false, () -> {
            claim.setString(1, reportKey);
            claim.setString(2, recipient);
            claim.setLong(3, expiresAt);
            claim.setLong(4, now);
            return claim.executeUpdate() == 1;
        });
    }

    @Override
    public void releaseSend(String reportKey, String recipient) {
        FailureLedger.checkKey(reportKey);
        FailureLedger.checkKey(recipient);
        FailureTables.relaxed(store, false, () -> {
            release.setString(1, reportKey);
            release.setString(2, recipient);
            return release.executeUpdate();
        });
    }

    @Override
    public Join joinSlot(String slotKey, String representative, long now, long openUntil) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (openUntil <= now) {
            throw new IllegalArgumentException("openUntil must be after now");
        }
        return FailureTables.relaxed(store, true, () -> {
            Slot s = live(slotKey, now);
            if (closed(s, now)) {
                write(slotKey, new Slot(0, null, 0, openUntil));
                return new Join.Opened(openUntil);
            }
            Slot next = s.heldCount == 0
                    ? new Slot(1, representative, now, s.dueAt)
                    : new Slot(s.heldCount + 1, s.representative, s.heldSince, s.dueAt);
            write(slotKey, next);
            return new Join.Joined(next.heldCount, next.dueAt);
        });
    }

    @Override
    public long hold(String slotKey, String representative, long count, long heldSince, long now, long dueAt) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        return FailureTables.relaxed(store, true, () -> {
            Slot s = live(slotKey, now);
            boolean closed = closed(s, now);
            long due = closed ? dueAt : Math.max(s.dueAt, dueAt);
            Slot next = closed || s.heldCount == 0
                    ? new Slot(count, representative, heldSince, due)
                    : new Slot(s.heldCount + count, s.representative, Math.min(s.heldSince, heldSince), due);
            write(slotKey, next);
            return next.heldCount;
        });
    }

    @Override
    public Optional<TakenSlot> takeSlot(String slotKey, long now, long reopenUntil) {
        FailureLedger.checkKey(slotKey);
        return FailureTables.relaxed(store, true, () -> {
            Slot s = live(slotKey, now);
            if (s == null || s.heldCount == 0) {
                return Optional.empty();
            }
            write(slotKey, new Slot(0, null, 0, reopenUntil));
            return Optional.of(new TakenSlot(s.heldCount, s.representative, s.heldSince));
        });
    }

    @Override
    public boolean takeToken(String bucketKey, long bucketStart, long limit, long expiresAt) {
        FailureLedger.checkKey(bucketKey);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return FailureTables.relaxed(store, false, () -> {
            token.setString(1, bucketKey);
            token.setLong(2, bucketStart);
            token.setLong(3, expiresAt);
            token.setLong(4, limit);
            return token.executeUpdate() == 1;
        });
    }

    @Override
    public List<DueSlot> dueSlots(long now, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE);
        }
        return store.withLock(() -> {
            due.setLong(1, now);
            due.setLong(2, now - SLOT_RETENTION_SECONDS);
            due.setInt(3, limit);
            List<DueSlot> out = new ArrayList<>();
            try (ResultSet rs = due.executeQuery()) {
                while (rs.next()) {
                    out.add(new DueSlot(rs.getString(1), rs.getLong(2)));
                }
            }
            return out;
        });
    }

    /**
     * Forces every ledger write so far to the disk. The ledger commits without an fsync (see
     * {@link FailureTables#relaxed}): the sender calls this before each send, so the marker of a
     * report that goes out is on the disk first.
     */
    public void sync() {
        store.syncWal();
    }

    /** Deletes expired markers, rate counters and slots; the runtime calls it with the hourly purge. */
    public long purgeExpired(long now) {
        return FailureTables.purge(store, now);
    }

    private record Slot(long heldCount, String representative, long heldSince, long dueAt) {}

    /** Under the lock: the slot, or null when absent or past its retention. */
    private Slot live(String slotKey, long now) throws SQLException {
        readSlot.setString(1, slotKey);
        try (ResultSet rs = readSlot.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            Slot s = new Slot(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
            if (s.heldCount > 0 && s.dueAt + SLOT_RETENTION_SECONDS <= now) {
                return null; // its incidents are gone; the next write replaces the row
            }
            return s;
        }
    }

    /** Absent, or empty with its merge window over: the next incident opens it anew. */
    private static boolean closed(Slot s, long now) {
        return s == null || (s.heldCount == 0 && s.dueAt <= now);
    }

    private void write(String slotKey, Slot s) throws SQLException {
        writeSlot.setString(1, slotKey);
        writeSlot.setLong(2, s.heldCount);
        writeSlot.setString(3, s.representative);
        writeSlot.setLong(4, s.heldSince);
        writeSlot.setLong(5, s.dueAt);
        writeSlot.executeUpdate();
    }
}
