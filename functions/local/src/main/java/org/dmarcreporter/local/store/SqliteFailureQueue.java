package org.dmarcreporter.local.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * The local sender's view of {@code failure_candidates}: the candidates not done yet
 * ({@code sent_at IS NULL}) whose next attempt is due, oldest first; marking them done
 * ({@code sent_at} = when), and putting one off after a retryable dispatch
 * ({@code failure_candidate_retries}). Everything is committed before the call returns.
 */
public final class SqliteFailureQueue {

    /** A candidate to dispatch, with the attempts made before this one. */
    public record Pending(FailureCandidate candidate, int attempts) {}

    /** A candidate whose JSON could not be read back: never retried, marked done. */
    public record Unreadable(String id) {}

    private final SqliteResultStore store;
    private final PreparedStatement due;
    private final PreparedStatement markDone;
    private final PreparedStatement forgetRetry;
    private final PreparedStatement putOff;
    private final PreparedStatement countPending;

    public SqliteFailureQueue(SqliteResultStore store) {
        this.store = Objects.requireNonNull(store, "store");
        FailureTables.create(store);
        List<PreparedStatement> s = store.prepare(
                "SELECT c.id, c.candidate_json, coalesce(r.attempts, 0)"
                        + " FROM failure_candidates c LEFT JOIN failure_candidate_retries r ON r.id = c.id"
                        + " WHERE c.sent_at IS NULL AND c.expires_at > ?"
                        + " AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ?)"
                        + " ORDER BY c.stored_at, c.id LIMIT ?",
                "UPDATE failure_candidates SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                "DELETE FROM failure_candidate_retries WHERE id = ?",
                "INSERT INTO failure_candidate_retries (id, attempts, next_attempt_at)"
                        + " VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                        + " SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at",
                "SELECT count(*) FROM failure_candidates WHERE sent_at IS NULL AND expires_at > ?");
        due = s.get(0);
        markDone = s.get(1);
        forgetRetry = s.get(2);
        putOff = s.get(3);
        countPending = s.get(4);
    }

    /**
     * Up to {@code limit} candidates not done whose next attempt is due at {@code now}, oldest
     * first. Rows whose JSON no longer reads go to {@code unreadable}.
     */
    public List<Pending> due(long now, int limit, List<Unreadable> unreadable) {
        List<String[]> rows = store.withLock(() -> {
            due.setLong(1, now);
            due.setLong(2, now);
            due.setInt(3, limit);
            List<String[]> out = new ArrayList<>();
            try (ResultSet rs = due.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))});
                }
            }
            return out;
        });
        List<Pending> pending = new ArrayList<>(rows.size());
        for (String[] row : rows) { // parsed outside the lock
            try {
                pending.add(new Pending(StoredJson.candidate(row[1]), Integer.parseInt(row[2])));
            } catch (RuntimeException e) {
                unreadable.add(new Unreadable(row[0]));
            }
        }
        return pending;
    }

    /** Marks the candidates done at {@code now}, in one transaction; returns how many were still pending. */
    public int markDone(Collection<String> ids, long now) {
        if (ids.isEmpty()) {
            return 0;
        }
        return FailureTables.relaxed(store, true, () -> {
            int n = 0;
            for (String id : ids) {
                markDone.setLong(1, now);
                markDone.setString(2, id);
                n += markDone.executeUpdate();
                forgetRetry.setString(1, id);
                forgetRetry.executeUpdate();
            }
            return n;
        });
    }

    /** Records that {@code id} has had {@code attempts} attempts and is next due at {@code nextAttemptAt}. */
    public void putOff(String id, int attempts, long nextAttemptAt) {
        FailureTables.relaxed(store, false, () -> {
            putOff.setString(1, id);
            putOff.setInt(2, attempts);
            putOff.setLong(3, nextAttemptAt);
            return putOff.executeUpdate();
        });
    }

    /** Makes every candidate put off due at {@code now} (their attempts stay counted); at start-up. */
    public void retryPutOffNow(long now) {
        FailureTables.relaxed(store, false, () -> {
            try (PreparedStatement s = store.connection()
                    .prepareStatement(
                            "UPDATE failure_candidate_retries SET next_attempt_at = ? WHERE next_attempt_at > ?")) {
                s.setLong(1, now);
                s.setLong(2, now);
                return s.executeUpdate();
            }
        });
    }

    /** Marks every candidate not done yet done at {@code now} (sending is off); returns how many. */
    public int markAllDone(long now) {
        return store.inTransaction(() -> {
            try (PreparedStatement s = store.connection()
                    .prepareStatement("UPDATE failure_candidates SET sent_at = ? WHERE sent_at IS NULL")) {
                s.setLong(1, now);
                int n = s.executeUpdate();
                try (PreparedStatement d =
                        store.connection().prepareStatement("DELETE FROM failure_candidate_retries")) {
                    d.executeUpdate();
                }
                return n;
            }
        });
    }

    /** Candidates not done yet (due now or put off), not expired. */
    public long pending(long now) {
        return store.withLock(() -> {
            countPending.setLong(1, now);
            try (ResultSet rs = countPending.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }
}
