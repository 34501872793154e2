package org.dmarcreporter.local.store;

import java.sql.Statement;
import java.util.List;
import org.dmarcreporter.core.report.dispatch.FailureLedger;

/**
 * The tables of the local failure-report sender ({@code docs/failure-reports.md}, "In the local
 * runtime"), in the store's file next to {@code failure_candidates}. Created with {@code IF NOT
 * EXISTS} when a sender part opens: additive, so the store's schema version stays and an older
 * build ignores them.
 */
final class FailureTables {

    private static final List<String> DDL = List.of(
            // Send markers (FailureLedger.claimSend): one per (report key, recipient).
            "CREATE TABLE IF NOT EXISTS failure_send_markers (report_key TEXT NOT NULL, recipient TEXT NOT NULL,"
                    + " expires_at INTEGER NOT NULL, PRIMARY KEY (report_key, recipient)) WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS failure_send_markers_expiry ON failure_send_markers (expires_at)",
            // Merge slots: the representative may be large, so the table keeps its rowid.
            "CREATE TABLE IF NOT EXISTS failure_slots (slot_key TEXT PRIMARY KEY, held_count INTEGER NOT NULL,"
                    + " representative TEXT, held_since INTEGER, due_at INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS failure_slots_due ON failure_slots (due_at, slot_key) WHERE held_count > 0",
            // Rate-limit counters per (bucket, period).
            "CREATE TABLE IF NOT EXISTS failure_rate_buckets (bucket_key TEXT NOT NULL, bucket_start INTEGER NOT NULL,"
                    + " taken INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (bucket_key, bucket_start))"
                    + " WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS failure_rate_buckets_expiry ON failure_rate_buckets (expires_at)",
            // The sender's counters (FailureMetrics), for GET /v1/reports.
            "CREATE TABLE IF NOT EXISTS failure_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
            // Candidates whose dispatch asked for a retry: attempts so far and when to try next.
            "CREATE TABLE IF NOT EXISTS failure_candidate_retries (id TEXT PRIMARY KEY, attempts INTEGER NOT NULL,"
                    + " next_attempt_at INTEGER NOT NULL) WITHOUT ROWID",
            // The sender's queue: candidates not done yet (sent_at IS NULL), oldest first.
            "CREATE INDEX IF NOT EXISTS failure_candidates_pending ON failure_candidates (stored_at, id)"
                    + " WHERE sent_at IS NULL");

    private FailureTables() {}

    /** Creates what is missing; cheap when everything exists. */
    static void create(SqliteResultStore store) {
        store.withLock(() -> {
            try (Statement s = store.connection().createStatement()) {
                for (String ddl : DDL) {
                    s.executeUpdate(ddl);
                }
            }
            return null;
        });
    }

    /**
     * Runs {@code work} under the store's lock (in one transaction when {@code transaction}),
     * committed without an fsync even when the store runs with FULL ({@link SqliteResultStore#withoutSync}):
     * the commit is in the WAL (it survives {@code kill -9}) but not yet forced to the disk. The
     * sender forces it ({@link SqliteResultStore#syncWal}) before every send; so a power loss may
     * lose the last slot and counter updates, never the marker of a report that went out. This
     * spares the fsync per ledger step that a flood of candidates would otherwise wait for.
     */
    static <T> T relaxed(SqliteResultStore store, boolean transaction, SqliteResultStore.SqlWork<T> work) {
        return store.withoutSync(() -> transaction ? store.inTransaction(work) : work.run());
    }

    /** Deletes expired markers and rate counters and retry rows of candidates gone; returns rows deleted. */
    static long purge(SqliteResultStore store, long now) {
        return store.withLock(() -> {
            long deleted = 0;
            try (Statement s = store.connection().createStatement()) {
                deleted += s.executeUpdate("DELETE FROM failure_send_markers WHERE expires_at <= " + now);
                deleted += s.executeUpdate("DELETE FROM failure_rate_buckets WHERE expires_at <= " + now);
                // Slots past their retention count as absent anyway (FailureLedger); empty closed ones too.
                deleted += s.executeUpdate("DELETE FROM failure_slots WHERE (held_count > 0 AND due_at + "
                        + FailureLedger.SLOT_RETENTION_SECONDS + " <= " + now
                        + ") OR (held_count = 0 AND due_at <= " + now + ")");
                deleted += s.executeUpdate("DELETE FROM failure_candidate_retries WHERE id NOT IN"
                        + " (SELECT id FROM failure_candidates WHERE sent_at IS NULL)");
            }
            return deleted;
        });
    }
}
