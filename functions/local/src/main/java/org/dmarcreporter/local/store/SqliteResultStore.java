package org.dmarcreporter.local.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.store.WindowPolicy;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The local runtime's {@link ResultStore}: one SQLite file in the data folder, with the same
 * semantics as the DynamoDB store (see {@link ResultStore}).
 *
 * <p>Every batch is one transaction, committed (and with {@link Durability#FULL} synced, see
 * {@link #durably}) before {@link #ingest} returns, so a result the API acknowledged survives the
 * process being killed. SQLite has one writer at a time, so writes go through one connection
 * guarded by a lock; request parsing and evaluation still run in parallel on the HTTP threads.
 * Rows carry an {@code expires_at} like DynamoDB's TTL attribute (counters expire with their
 * window), and {@link #purgeExpired()} deletes the expired ones (the runtime runs it hourly).
 * A batch over many domains appends its counter increments to a row log that is folded into the
 * counters in key order ({@link #addIncrements}, {@link #fold}; docs/aggregate-reports.md).
 *
 * <p>messageIds seen in the last 24 hours are checked in memory ({@link MessageIdIndex}) and
 * logged to {@code message_ids}, from which the index is rebuilt on open; hence one store per
 * data folder, enforced with a lock file.
 */
public final class SqliteResultStore implements ResultStore, AutoCloseable {

    /** The database file inside the data folder. */
    public static final String FILE_NAME = "dmarc.sqlite";

    /** Locked while a store has the folder open. */
    static final String LOCK_FILE_NAME = "dmarc.lock";

    /**
     * Schema this code writes; a file from a newer version is refused rather than misread (schema
     * 4 added row_log, whose increments an older build would not count).
     */
    static final int SCHEMA_VERSION = 4;

    /**
     * How a batch's increments are written (see {@link #addIncrements} and {@link #fold}).
     *
     * @param logFromWindows a batch whose increments fall in this many windows or more goes to
     *     the row log, one over fewer windows adds to report_rows directly
     * @param foldAt increments the row log holds before a batch folds it into report_rows
     */
    record RowWrites(int logFromWindows, int foldAt) {
        static final RowWrites DEFAULT = new RowWrites(32, 20_000);
    }

    /** The send-now cut key that stands for every domain. */
    static final String ALL_DOMAINS = "*";

    /** Rows deleted per purge statement, so the writer lock is never held long. */
    private static final int PURGE_CHUNK = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteResultStore.class);

    /**
     * The row's JSON is its key: {@link StoredJson#rowJson} is one string per distinct row, so a
     * separate key column (schema 2 had {@code row_key}, as long again) only doubled the bytes each
     * new row costs; rows expire with their window, so they need no {@code expires_at} either.
     */
    private static final String REPORT_ROWS = "CREATE TABLE IF NOT EXISTS report_rows (window_start INTEGER NOT NULL,"
            + " policy_domain TEXT NOT NULL, row_json TEXT NOT NULL, count INTEGER NOT NULL,"
            + " PRIMARY KEY (window_start, policy_domain, row_json)) WITHOUT ROWID";

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
            // Idempotency-Key -> the first response, replayed for 24 hours (docs/ingest-api.md), and the
            // digest of the body it answered (null in rows written before digests: bound to no
            // body). Tables with large values (responses, candidates) keep rowids: WITHOUT ROWID
            // suits small rows.
            "CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, response BLOB NOT NULL,"
                    + " expires_at INTEGER NOT NULL, request_digest TEXT)",
            "CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at)",
            // messageIds counted in the last 24 hours (dedupeMessageIds, docs/settings.md): an
            // append-only log behind the in-memory MessageIdIndex (see there for why).
            "CREATE TABLE IF NOT EXISTS message_ids (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL,"
                    + " id_hash BLOB NOT NULL, expires_at INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS message_ids_expiry ON message_ids (expires_at)",
            // One counter per distinct aggregate-report row of a window (RFC 9990 §3.1.1.7 record).
            // Keyed by window start first: rows expire with their window (start + REPORT_DATA), so
            // the purge is a range of the primary key and no expiry index is needed, which would
            // cost one more random B-tree insert per new row.
            REPORT_ROWS,
            // Each batch's increments, appended in commit order and folded into report_rows in
            // key order (see fold): written straight into report_rows, a batch over many domains
            // changed one page per increment, each written to the WAL and again at checkpoint.
            "CREATE TABLE IF NOT EXISTS row_log (seq INTEGER PRIMARY KEY, window_start INTEGER NOT NULL,"
                    + " policy_domain TEXT NOT NULL, row_json TEXT NOT NULL, count INTEGER NOT NULL)",
            // The index of unreported windows (ReportLedger, docs/aggregate-reports.md): which
            // windows hold data, with the policy record seen last (policy_published); an entry
            // leaves when its window is reported. Written only when a window is new or its record
            // changed (see indexed). reported_at (schema 1), row_count and message_count (schema
            // 2 and 3: kept up to date by every batch) are unused; GET /v1/reports counts from
            // report_rows.
            "CREATE TABLE IF NOT EXISTS report_windows (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " policy_record TEXT NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                    + " reported_at INTEGER, row_count INTEGER NOT NULL DEFAULT 0,"
                    + " message_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (policy_domain, window_start)) WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS report_windows_expiry ON report_windows (expires_at)",
            "CREATE INDEX IF NOT EXISTS report_windows_recent ON report_windows (window_start DESC, policy_domain)",
            // Send-now cuts, every one kept (each ends a window): a new window starts at cut_at
            // ('*' = every domain). Purged once older than Retention.REPORT_DATA.
            "CREATE TABLE IF NOT EXISTS send_now_cuts (policy_domain TEXT NOT NULL, cut_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (policy_domain, cut_at)) WITHOUT ROWID",
            // What became of each recipient of a window's report (DeliveryState).
            "CREATE TABLE IF NOT EXISTS report_deliveries (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " recipient TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL,"
                    + " sent_at INTEGER, next_retry INTEGER, expires_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (policy_domain, window_start, recipient)) WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS report_deliveries_expiry ON report_deliveries (expires_at)",
            // The reported marker: a window listed here is never reported again.
            "CREATE TABLE IF NOT EXISTS reported_windows (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " report_id TEXT NOT NULL, date_begin INTEGER NOT NULL, date_end INTEGER NOT NULL,"
                    + " reported_at INTEGER NOT NULL, outcome TEXT NOT NULL, expires_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (policy_domain, window_start)) WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS reported_windows_expiry ON reported_windows (expires_at)",
            // The report lease of a window (ReportLedger.takeLease): the run that may send its
            // report, until lease_until; deleted when the run is done with the window.
            "CREATE TABLE IF NOT EXISTS report_leases (policy_domain TEXT NOT NULL, window_start INTEGER NOT NULL,"
                    + " holder TEXT NOT NULL, lease_until INTEGER NOT NULL,"
                    + " PRIMARY KEY (policy_domain, window_start)) WITHOUT ROWID",
            "CREATE INDEX IF NOT EXISTS reported_windows_recent ON reported_windows (window_start DESC, policy_domain)",
            // Failure reports to send, each written once.
            "CREATE TABLE IF NOT EXISTS failure_candidates (id TEXT PRIMARY KEY, policy_domain TEXT NOT NULL,"
                    + " candidate_json TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                    + " sent_at INTEGER)",
            "CREATE INDEX IF NOT EXISTS failure_candidates_expiry ON failure_candidates (expires_at)");

    /** Tables with a TTL and the key columns that identify a row (report_rows: see {@link #purgeExpired}). */
    private static final Map<String, String> EXPIRING = Map.of(
            "idempotency", "key",
            "message_ids", "seq",
            "report_windows", "policy_domain, window_start",
            "report_deliveries", "policy_domain, window_start, recipient",
            "reported_windows", "policy_domain, window_start",
            "failure_candidates", "id");

    private final Path file;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The latest send-now cut per domain key ({@code "*"} too): read from send_now_cuts on open,
     * then kept up to date by {@link #recordCut}. This process is the only writer of the file (the
     * lock file), so this map is the table's latest cuts and {@link #latestCut} needs neither a
     * query nor the lock: a cached cut (the ResultStore contract allows 10 s) would cost one
     * query under the writer's lock per domain every 10 s, each waiting behind a batch. Ingest
     * re-checks its results' windows against it under the lock, so a cut takes effect at once
     * for every batch committed after it (see {@link #moveToOpenWindows}).
     */
    private final Map<String, Long> latestCuts = new ConcurrentHashMap<>();

    private final MessageIdIndex seenMessages = new MessageIdIndex();
    /**
     * The policy record each report_windows entry holds, for the entries this process wrote or
     * found unchanged; guarded by the lock. A batch writes an entry only when its window is
     * missing here or the record differs: over many domains nearly every batch touches hundreds
     * of windows whose entry it would only rewrite unchanged. Filled after commit (a rolled-back
     * entry must be written again); an entry leaves when its window is reported or purged, so at
     * worst a window's entry is written once more than needed, never skipped.
     */
    private final Map<ReportingWindow, String> indexed = new HashMap<>();

    /**
     * Increments in row_log, and their windows, as committed; written under the lock. Volatile:
     * {@link #fold} reads it without the lock, so that with nothing logged it never waits for a
     * batch.
     */
    private volatile int logged;

    private final Set<ReportingWindow> loggedWindows = new HashSet<>();

    private final RowWrites rowWrites;

    private final FileChannel lockFile;
    private final Connection db;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement relaxSync;
    private final PreparedStatement fullSync;
    private final PreparedStatement findResponse;
    private final PreparedStatement rememberResponse;
    private final PreparedStatement markMessage;
    private final PreparedStatement addToRow;
    private final PreparedStatement logIncrement;
    private final PreparedStatement foldIntoRows;
    private final PreparedStatement clearLog;
    private final PreparedStatement upsertWindow;
    private final PreparedStatement insertCandidate;
    private final PreparedStatement writeCut;
    private final WalCheckpointer checkpointer;
    /** Shared WAL syncs ({@link #durably}); null when the store does not sync every commit. */
    private final WalSync walSync;

    /** Written under {@link #lock}; volatile because {@link #read} checks it without that lock. */
    private volatile boolean closed;

    /**
     * The second connection, for {@link #read}: opened on first use, guarded by
     * {@link #readerGuard} (readers take turns), closed with the store.
     */
    private Connection reader;

    private final Object readerGuard = new Object();

    private SqliteResultStore(
            Path file,
            Clock clock,
            Connection db,
            FileChannel lockFile,
            WalCheckpointer checkpointer,
            Durability durability,
            RowWrites rowWrites)
            throws SQLException {
        this.checkpointer = checkpointer;
        this.rowWrites = rowWrites;
        this.walSync = durability == Durability.FULL ? new WalSync(walFile(file)) : null;
        this.file = file;
        this.clock = clock;
        this.lockFile = lockFile;
        this.db = db;
        createSchema(db);
        // Transactions are begun and ended explicitly (autocommit stays on): the driver's own
        // transaction handling begins the next transaction right after each commit, which with
        // BEGIN IMMEDIATE would keep the write lock from every other connection.
        begin = db.prepareStatement("BEGIN IMMEDIATE");
        commit = db.prepareStatement("COMMIT");
        rollback = db.prepareStatement("ROLLBACK");
        relaxSync = db.prepareStatement("PRAGMA synchronous = NORMAL");
        fullSync = db.prepareStatement("PRAGMA synchronous = FULL");
        findResponse = db.prepareStatement(
                "SELECT response, request_digest FROM idempotency WHERE key = ? AND expires_at > ?");
        rememberResponse = db.prepareStatement(
                "INSERT OR REPLACE INTO idempotency (key, response, expires_at, request_digest) VALUES (?, ?, ?, ?)");
        markMessage = db.prepareStatement("INSERT INTO message_ids (message_id, id_hash, expires_at) VALUES (?, ?, ?)");
        // One statement per increment, new row or not.
        addToRow = db.prepareStatement("INSERT INTO report_rows (window_start, policy_domain, row_json, count)"
                + " VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (window_start, policy_domain, row_json) DO UPDATE SET count = count + excluded.count");
        logIncrement = db.prepareStatement(
                "INSERT INTO row_log (window_start, policy_domain, row_json, count) VALUES (?, ?, ?, ?)");
        // GROUP BY hands the sums over in report_rows' key order. ("WHERE true": SQLite's upsert
        // after an INSERT ... SELECT needs a WHERE to parse.)
        foldIntoRows = db.prepareStatement("INSERT INTO report_rows (window_start, policy_domain, row_json, count)"
                + " SELECT window_start, policy_domain, row_json, sum(count) FROM row_log WHERE true"
                + " GROUP BY window_start, policy_domain, row_json"
                + " ON CONFLICT (window_start, policy_domain, row_json) DO UPDATE SET count = count + excluded.count");
        clearLog = db.prepareStatement("DELETE FROM row_log");
        upsertWindow = db.prepareStatement("INSERT INTO report_windows"
                + " (policy_domain, window_start, policy_record, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (policy_domain, window_start) DO UPDATE SET"
                + " policy_record = excluded.policy_record, updated_at = excluded.updated_at");
        insertCandidate = db.prepareStatement("INSERT OR IGNORE INTO failure_candidates"
                + " (id, policy_domain, candidate_json, stored_at, expires_at) VALUES (?, ?, ?, ?, ?)");
        writeCut = db.prepareStatement("INSERT OR IGNORE INTO send_now_cuts (policy_domain, cut_at) VALUES (?, ?)");
        loadSeenMessages(clock.instant().getEpochSecond());
        loadCuts();
        foldLeftOver();
    }

    /** Folds what the last process logged and did not fold (it stopped, or was killed). */
    private void foldLeftOver() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM row_log)")) {
            if (rs.next() && rs.getBoolean(1)) {
                foldNow();
            }
        }
    }

    private void loadCuts() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT policy_domain, max(cut_at) FROM send_now_cuts GROUP BY policy_domain")) {
            while (rs.next()) {
                latestCuts.put(rs.getString(1), rs.getLong(2));
            }
        }
    }

    private void loadSeenMessages(long now) throws SQLException {
        try (PreparedStatement s =
                db.prepareStatement("SELECT id_hash, expires_at FROM message_ids WHERE expires_at > ?")) {
            s.setLong(1, now);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    seenMessages.put(MessageIdIndex.Key.of(rs.getBytes(1)), rs.getLong(2));
                }
            }
        }
        if (seenMessages.size() > 0) {
            LOG.info(
                    "{} messageIds of the last {} h loaded for de-duplication",
                    seenMessages.size(),
                    Retention.DEDUPE.toHours());
        }
    }

    /**
     * Opens (creating when needed) the store in {@code dataDir}.
     *
     * @param durability how commits reach the disk; see {@link Durability}
     * @throws StoreUnavailableException when the folder or file cannot be created or opened
     */
    public static SqliteResultStore open(Path dataDir, Clock clock, Durability durability) {
        return open(dataDir, clock, durability, RowWrites.DEFAULT);
    }

    /** @param rowWrites when increments go to the row log, and when it is folded (tests: sooner) */
    static SqliteResultStore open(Path dataDir, Clock clock, Durability durability, RowWrites rowWrites) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel lockFile;
        try {
            Files.createDirectories(dataDir);
            lockFile = lockDataDir(dataDir);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot use data folder " + dataDir + ": " + e, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(durability.synchronous);
        config.setBusyTimeout(10_000);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setCacheSize(-32_768); // KiB: 32 MiB of page cache
        // sqlite-jdbc otherwise runs "SELECT last_insert_rowid()" after every insert and update,
        // a second statement per row that nothing here reads.
        config.setGetGeneratedKeys(false);
        // Checkpoints (copying the WAL into the file, and syncing it) run on WalCheckpointer's
        // own connection, outside the lock. The writer's auto-checkpoint only bounds the WAL
        // (64 MiB) should that fall behind: at the default 1,000 pages it checkpointed inside
        // nearly every commit of a batch over many domains (about 450 pages each). Commits still
        // sync the WAL (synchronous=FULL).
        config.setWalAutocheckpoint(16_384);
        config.setJournalSizeLimit(64 * 1024 * 1024); // bytes: the WAL file is cut back after a checkpoint
        Connection db = null;
        WalCheckpointer checkpointer = null;
        String url = url(file);
        try {
            db = config.createConnection(url);
            checkpointer = WalCheckpointer.start(url, durability.synchronous);
            return new SqliteResultStore(file, clock, db, lockFile, checkpointer, durability, rowWrites);
        } catch (SQLException | RuntimeException e) {
            if (checkpointer != null) {
                checkpointer.close();
            }
            closeQuietly(db);
            closeQuietly(lockFile);
            throw new StoreUnavailableException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One writer per data folder: the messageId index lives in this process's memory, so a second
     * process writing the same file would count duplicates.
     */
    private static FileChannel lockDataDir(Path dataDir) throws IOException {
        FileChannel channel =
                FileChannel.open(dataDir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel; // the lock goes with the channel, and with the process
            }
        } catch (OverlappingFileLockException e) {
            // held by this process already
        }
        channel.close();
        throw new StoreUnavailableException("data folder " + dataDir + " is in use by another dmarc-local process");
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    public long latestCut(String policyDomain) {
        return Math.max(latestCuts.getOrDefault(ALL_DOMAINS, 0L), latestCuts.getOrDefault(policyDomain, 0L));
    }

    /**
     * Records a send-now cut: from {@code cutAt} on, {@code policyDomain} ({@code "*"} for every
     * domain) collects into a new window. Earlier cuts are kept (they end earlier windows); the
     * latest cut never moves back. Effective at once in this process: a batch committed after
     * this returns counts in the window that starts at the cut, whatever cut its window was
     * chosen with ({@link #moveToOpenWindows}), so the local send-now need not wait for a settle time.
     */
    public void recordCut(String policyDomain, long cutAt) {
        withLock(() -> {
            writeCut.setString(1, policyDomain);
            writeCut.setLong(2, cutAt); // one statement: its own transaction
            writeCut.executeUpdate();
            latestCuts.merge(policyDomain, cutAt, Math::max); // after the write: seen once stored
            return null;
        });
    }

    /**
     * Under the lock: each result counts in the window open at the store's clock now, not the one
     * chosen when the request was stamped (before the lock was taken). A window ends at the next
     * UTC midnight or send-now cut (docs/reporting-windows.md), and a run reads it only after that
     * end (the scheduled run {@code LocalReports.SCHEDULED_SETTLE} after it, send-now right after
     * its cut): a batch stamped before the end but committed after it would land in a window a run
     * may have read and marked already, and that window is never reported again, so the result
     * would be in no report. Moved to the open window, as a cut recorded since moves it, it is in
     * exactly one. A cut later than the store's clock is not in force yet, as in
     * {@link ReportingWindows#windowStart}; a result whose window starts later than the open one
     * (a clock set back) stays where it is.
     */
    private List<StoredResult> moveToOpenWindows(List<StoredResult> results) {
        Instant now = clock.instant();
        long midnight = ReportingWindows.windowStart(now, 0);
        List<StoredResult> out = null;
        for (int i = 0; i < results.size(); i++) {
            StoredResult r = results.get(i);
            ReportingWindow w = r.window();
            if (w.start() >= midnight && latestCuts.isEmpty()) {
                continue; // today's window and no cut at all: the common case, without a lookup
            }
            long open = ReportingWindows.windowStart(now, latestCut(w.policyDomain()));
            if (open > w.start()) {
                if (out == null) {
                    out = new ArrayList<>(results);
                }
                out.set(
                        i,
                        new StoredResult(
                                r.messageId(),
                                new ReportingWindow(w.policyDomain(), open),
                                r.row(),
                                r.policyRecord(),
                                r.failureCandidate(),
                                r.requestIndex()));
            }
        }
        return out == null ? results : out;
    }

    @Override
    public IngestOutcome ingest(IngestBatch batch) {
        if (batch.idempotencyKey() == null && batch.results().isEmpty()) {
            return new IngestOutcome.Stored(0, 0);
        }
        List<MessageIdIndex.Key> keys = batch.dedupeMessageIds() ? messageKeys(batch.results()) : null;
        Increments planned = Increments.of(batch.results(), new HashMap<>());
        return durably(() -> {
            begin.execute();
            Written written;
            try {
                written = store(batch, keys, planned);
                commit.execute();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            }
            checkpointer.written();
            // only committed ids count as seen: a rolled-back batch may be retried
            for (MessageIdIndex.Key key : written.newMessages()) {
                seenMessages.put(key, written.markerExpiry());
            }
            for (WindowPolicy w : written.windows()) {
                indexed.put(w.window(), w.policyRecord());
            }
            if (written.folded()) {
                foldCommitted();
            } else if (written.logged() > 0) {
                logged += written.logged();
                for (WindowPolicy w : written.windows()) {
                    loggedWindows.add(w.window());
                }
            }
            return written.outcome();
        });
    }

    /** Digests of the messageIds (null where there is none), computed before taking the lock. */
    private static List<MessageIdIndex.Key> messageKeys(List<StoredResult> results) {
        List<MessageIdIndex.Key> keys = new ArrayList<>(results.size());
        for (StoredResult r : results) {
            keys.add(r.messageId() == null ? null : MessageIdIndex.Key.of(r.messageId()));
        }
        return keys;
    }

    /**
     * @param windows the window entries the batch wrote (or found unchanged)
     * @param logged increments the batch added to row_log
     * @param folded whether the batch folded row_log (its own increments too)
     */
    private record Written(
            IngestOutcome outcome,
            Set<MessageIdIndex.Key> newMessages,
            long markerExpiry,
            List<WindowPolicy> windows,
            int logged,
            boolean folded) {}

    /** Runs under the lock, inside the batch's transaction. */
    private Written store(IngestBatch batch, List<MessageIdIndex.Key> keys, Increments planned) throws SQLException {
        long now = batch.storedAt().getEpochSecond();
        String key = batch.idempotencyKey();
        if (key != null) {
            findResponse.setString(1, key);
            findResponse.setLong(2, now);
            try (ResultSet rs = findResponse.executeQuery()) {
                if (rs.next()) {
                    String digest = rs.getString(2);
                    boolean reused =
                            digest != null && batch.requestDigest() != null && !digest.equals(batch.requestDigest());
                    return new Written(
                            reused ? new IngestOutcome.KeyReused() : new IngestOutcome.Replayed(rs.getBytes(1)),
                            Set.of(),
                            0,
                            List.of(),
                            0,
                            false);
                }
            }
        }
        // Each loop below is a method of its own: C2 compiles a hot loop on its own (OSR) with all
        // of its method, so one method with four loops was compiled four times over.
        List<StoredResult> moved = moveToOpenWindows(batch.results());
        long markerExpiry = now + Retention.DEDUPE.toSeconds();
        NewResults fresh = keys == null ? new NewResults(moved, Set.of()) : dropSeen(moved, keys, now, markerExpiry);
        int duplicates = moved.size() - fresh.results().size();
        List<StoredResult> counted = fresh.results();
        // planned before the lock; planned again only when a duplicate was dropped or a window was moved
        Increments increments =
                moved == batch.results() && duplicates == 0 ? planned : Increments.of(counted, planned.json());
        int added = addIncrements(increments);
        int writes = fresh.messages().size()
                + increments.rows().size()
                + writeWindowEntries(increments, now)
                + insertCandidates(counted);
        // folded in the batch's transaction: a fold that fails undoes the batch, which is retried
        boolean fold = added > 0 && logged + added >= rowWrites.foldAt();
        if (fold) {
            foldStatements();
        }
        if (key != null) {
            rememberResponse.setString(1, key);
            rememberResponse.setBytes(2, batch.response());
            rememberResponse.setLong(3, now + Retention.DEDUPE.toSeconds());
            rememberResponse.setString(4, batch.requestDigest());
            rememberResponse.executeUpdate();
            writes++;
        }
        return new Written(
                new IngestOutcome.Stored(duplicates, writes),
                fresh.messages(),
                markerExpiry,
                increments.windows(),
                added,
                fold);
    }

    /** The results of a batch whose messageIds were not seen before, and those ids (now marked). */
    private record NewResults(List<StoredResult> results, Set<MessageIdIndex.Key> messages) {}

    /**
     * Drops results whose messageId was stored before or earlier in the batch, and logs the ids
     * of the others to message_ids.
     */
    private NewResults dropSeen(List<StoredResult> all, List<MessageIdIndex.Key> keys, long now, long markerExpiry)
            throws SQLException {
        List<StoredResult> counted = new ArrayList<>(all.size());
        Set<MessageIdIndex.Key> newMessages = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            StoredResult r = all.get(i);
            MessageIdIndex.Key id = keys.get(i);
            if (id != null) {
                // An id past its expiry counts as new even before the purge removes it, as with
                // DynamoDB's lazy TTL.
                if (seenMessages.expiresAt(id) > now || !newMessages.add(id)) {
                    continue; // stored before, or earlier in this batch
                }
                markMessage.setString(1, r.messageId());
                markMessage.setBytes(2, id.bytes());
                markMessage.setLong(3, markerExpiry);
                markMessage.executeUpdate();
            }
            counted.add(r);
        }
        return new NewResults(counted, newMessages);
    }

    /** Writes the index entries of windows that are new here or whose record changed; how many. */
    private int writeWindowEntries(Increments increments, long now) throws SQLException {
        int writes = 0;
        for (WindowPolicy w : increments.windows()) {
            if (w.policyRecord().equals(indexed.get(w.window()))) {
                continue; // the entry is there, with this record
            }
            upsertWindow.setString(1, w.window().policyDomain());
            upsertWindow.setLong(2, w.window().start());
            upsertWindow.setString(3, w.policyRecord());
            upsertWindow.setLong(4, now);
            upsertWindow.setLong(5, w.window().start() + Retention.REPORT_DATA.toSeconds());
            upsertWindow.executeUpdate();
            writes++;
        }
        return writes;
    }

    /** Stores the batch's failure report candidates (each once); how many were new. */
    private int insertCandidates(List<StoredResult> counted) throws SQLException {
        int writes = 0;
        for (StoredResult r : counted) {
            FailureCandidate c = r.failureCandidate();
            if (c != null) {
                long storedAt = c.storedAt().getEpochSecond();
                insertCandidate.setString(1, c.id());
                insertCandidate.setString(2, c.policyDomain());
                insertCandidate.setString(3, StoredJson.candidateJson(c));
                insertCandidate.setLong(4, storedAt);
                insertCandidate.setLong(5, storedAt + Retention.FAILURE_CANDIDATE.toSeconds());
                writes += insertCandidate.executeUpdate();
            }
        }
        return writes;
    }

    /**
     * A batch's counter increments, the JSON of each distinct row and the window entries, worked
     * out before the lock is taken (HTTP threads run in parallel; the writer does not).
     */
    private record Increments(List<RowIncrement> rows, Map<String, String> json, List<WindowPolicy> windows) {

        /** @param json row JSON by row key, known already (reused, and added to) */
        static Increments of(List<StoredResult> results, Map<String, String> json) {
            List<RowIncrement> rows = RowIncrement.merge(results);
            for (RowIncrement inc : rows) {
                json.computeIfAbsent(inc.rowKey(), k -> StoredJson.rowJson(inc.row()));
            }
            return new Increments(rows, json, WindowPolicy.latest(results));
        }
    }

    /**
     * Adds the increments, one statement each: appended to row_log when they fall in
     * {@link RowWrites#logFromWindows} windows or more (each window's rows are a range of
     * report_rows' key, so such a batch would change at least as many of its pages), else added
     * to report_rows' counters at once, which for a batch over a few domains costs fewer pages
     * and no fold. Either way a counter is report_rows' count plus the log's increments.
     *
     * @return how many went to the log
     */
    private int addIncrements(Increments increments) throws SQLException {
        boolean toLog = increments.windows().size() >= rowWrites.logFromWindows();
        PreparedStatement add = toLog ? logIncrement : addToRow;
        for (RowIncrement inc : increments.rows()) {
            add.setLong(1, inc.window().start());
            add.setString(2, inc.window().policyDomain());
            add.setString(3, increments.json().get(inc.rowKey()));
            add.setLong(4, inc.count());
            add.executeUpdate();
        }
        return toLog ? increments.rows().size() : 0;
    }

    /**
     * Folds row_log into report_rows when it holds increments of {@code window} (of any window
     * when null), so that what report_rows says for it is complete: the ledger calls this before
     * it reads a window's rows or counts them, the purge before it deletes. One transaction,
     * committed without its own sync: it only moves counts within the file, so if a power loss
     * takes it the increments are still in the log (and any later synced commit syncs it too).
     */
    void fold(ReportingWindow window) {
        if (logged == 0) {
            return; // a batch committed since is one committed after the caller's read began
        }
        withLock(() -> {
            if (logged > 0 && (window == null || loggedWindows.contains(window))) {
                foldNow();
            }
            return null;
        });
    }

    /** The fold in a transaction of its own (see {@link #fold}). */
    private void foldNow() {
        withoutSync(() -> {
            begin.execute();
            try {
                foldStatements();
                commit.execute();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            }
            foldCommitted();
            return null;
        });
    }

    /**
     * The fold, inside the caller's transaction. Each report_rows page is written once for all
     * the log's increments on it, in key order, where a batch's own upserts over many domains
     * changed one page per increment: on 2,000 domains the store wrote 5.1 KB per result instead
     * of 13 KB and used a fifth less CPU (StoreIngestBench). A fold of 20,000 increments took
     * 80-340 ms there, growing with report_rows, so the first read after ingest waits about that
     * long at most, and so does the batch that reaches the threshold (one in 40 of 500 each).
     */
    private void foldStatements() throws SQLException {
        foldIntoRows.executeUpdate();
        clearLog.executeUpdate();
    }

    private void foldCommitted() {
        logged = 0;
        loggedWindows.clear();
    }

    /**
     * Called under the lock when a window's index entry is deleted (it was reported), so that a
     * later batch for it writes the entry again.
     */
    void forgetIndexed(ReportingWindow window) {
        indexed.remove(window);
    }

    /**
     * Deletes everything whose {@code expires_at} has passed, in small chunks so ingest never
     * waits long for the writer lock.
     *
     * @return rows deleted
     */
    public long purgeExpired() {
        fold(null); // expired increments still in the log go with their rows
        long now = clock.instant().getEpochSecond();
        long deleted = 0;
        Map<String, String> tables = new HashMap<>(EXPIRING);
        tables.put("report_rows", "window_start, policy_domain, row_json");
        for (Map.Entry<String, String> table : tables.entrySet()) {
            String keys = table.getValue();
            // report_rows expire with their window (expires_at = window_start + REPORT_DATA): a
            // range of the primary key
            boolean rows = table.getKey().equals("report_rows");
            String sql = "DELETE FROM " + table.getKey() + " WHERE (" + keys + ") IN (SELECT " + keys + " FROM "
                    + table.getKey() + " WHERE " + (rows ? "window_start" : "expires_at") + " <= ? LIMIT "
                    + PURGE_CHUNK + ")";
            long before = rows ? now - Retention.REPORT_DATA.toSeconds() : now;
            int n;
            do {
                boolean windows = table.getKey().equals("report_windows");
                n = withLock(() -> {
                    try (PreparedStatement delete = db.prepareStatement(sql)) {
                        delete.setLong(1, before);
                        int gone = delete.executeUpdate();
                        if (windows && gone > 0) {
                            indexed.clear(); // which went is not known here; batches write them again
                        }
                        return gone;
                    }
                });
                deleted += n;
            } while (n == PURGE_CHUNK);
        }
        long cutsBefore = now - Retention.REPORT_DATA.toSeconds(); // they end no window still kept
        deleted += withLock(() -> {
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM send_now_cuts WHERE cut_at <= ?")) {
                delete.setLong(1, cutsBefore);
                return delete.executeUpdate();
            }
        });
        withLock(() -> seenMessages.removeExpired(now));
        if (deleted > 0) {
            LOG.info("purged {} expired rows", deleted);
        }
        return deleted;
    }

    /** Closes the database; later calls fail with {@link StoreUnavailableException}. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            checkpointer.close();
            synchronized (readerGuard) {
                if (reader != null) {
                    closeQuietly(reader);
                    reader = null;
                }
            }
            closeQuietly(db); // closes the statements; the last connection checkpoints the WAL
            closeQuietly(lockFile);
        } finally {
            lock.unlock();
        }
    }

    // For SqliteReportLedger: the same connection, lock and clock.

    Connection connection() {
        return db;
    }

    Clock clock() {
        return clock;
    }

    /** Runs {@code work} under the store's lock, in one transaction (rolled back when it throws). */
    <T> T inTransaction(SqlWork<T> work) {
        return withLock(() -> {
            begin.execute();
            T result;
            try {
                result = work.run();
                commit.execute();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                throw e;
            }
            return result;
        });
    }

    /**
     * Runs one write under the lock and returns once it is on disk, as a commit at
     * {@code synchronous=FULL} would, but lets concurrent writers share the fsync and keeps it out
     * of the lock: the write commits at {@code synchronous=NORMAL} (into the WAL, in the OS, without
     * a sync), then {@link WalSync} syncs the WAL once for every commit made before that sync
     * started, while the next writer already holds the lock. With {@link Durability#NORMAL}, just
     * {@link #withLock}. A write that returned is as durable as with FULL; the fsync of a batch no
     * longer adds to the time every other batch waits for the lock ({@code docs/command-line.md}).
     * If the sync fails the write is committed but the caller gets an error, as when a
     * FULL commit's own fsync fails.
     */
    <T> T durably(SqlWork<T> work) {
        if (walSync == null) {
            return withLock(work);
        }
        long[] sequence = new long[1];
        T result = withoutSync(() -> {
            T r = work.run();
            sequence[0] = walSync.committed();
            return r;
        });
        walSync.syncThrough(sequence[0]);
        return result;
    }

    /**
     * Runs {@code work} under the lock, its commits made at {@code synchronous=NORMAL} even with
     * {@link Durability#FULL}: in the WAL (they survive {@code kill -9}) but not forced to the disk
     * until {@link #syncWal} or a later synced commit. For writes that may be lost on power loss
     * as long as what depends on them syncs first (the failure reports' ledger, docs/failure-reports.md).
     */
    <T> T withoutSync(SqlWork<T> work) {
        if (walSync == null) {
            return withLock(work);
        }
        return withLock(() -> {
            relaxSync.execute();
            try {
                return work.run();
            } finally {
                fullSync.execute();
            }
        });
    }

    /** Forces every commit made so far to the disk (one fsync of the WAL, shared with concurrent callers). */
    void syncWal() {
        if (walSync != null) {
            walSync.syncThrough(walSync.committed());
        }
    }

    /** The JDBC URL of the store's file, for each of its connections (writer, checkpointer, reader). */
    private static String url(Path database) {
        return "jdbc:sqlite:" + database.toAbsolutePath();
    }

    private static Path walFile(Path database) {
        return database.resolveSibling(database.getFileName() + "-wal");
    }

    /** Prepares {@code sql} on the store's connection, in order (the statements of the ledgers and queues). */
    List<PreparedStatement> prepare(String... sql) {
        return withLock(() -> {
            List<PreparedStatement> out = new ArrayList<>(sql.length);
            for (String q : sql) {
                out.add(db.prepareStatement(q));
            }
            return out;
        });
    }

    /**
     * Runs read-only {@code work} on the store's second connection, in one read transaction (one
     * snapshot of what was committed when it began), without the writer's lock: in WAL mode a
     * reader and the writer do not wait for each other. For reads that may take long and must not
     * hold up ingest: {@code GET /v1/reports} counts a pending window's rows, some 0.4 s for a
     * window of a million (docs/aggregate-reports.md). The connection refuses writes.
     */
    <T> T read(ReadWork<T> work) {
        synchronized (readerGuard) {
            if (closed) {
                throw new StoreUnavailableException("the store is closed");
            }
            try {
                if (reader == null) {
                    reader = openReader();
                }
                try (Statement s = reader.createStatement()) {
                    s.execute("BEGIN");
                    try {
                        return work.run(reader);
                    } finally {
                        s.execute("COMMIT"); // a read transaction: nothing to keep or undo
                    }
                }
            } catch (SQLException e) {
                throw new StoreUnavailableException("SQLite: " + e.getMessage(), e);
            }
        }
    }

    private Connection openReader() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        config.setGetGeneratedKeys(false);
        Connection c = config.createConnection(url(file));
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only = true");
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    <T> T withLock(SqlWork<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("the store is closed");
            }
            try {
                return work.run();
            } catch (SQLException e) {
                throw new StoreUnavailableException("SQLite: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    private void rollbackQuietly() {
        try {
            rollback.execute();
        } catch (SQLException e) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing left to undo
            LOG.debug("rollback: {}", e.getMessage());
        }
    }

    private static void createSchema(Connection db) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.executeUpdate(SCHEMA.get(0));
            int version;
            try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException("the data folder was written by a newer version (schema " + version
                        + ", this one knows " + SCHEMA_VERSION + ")");
            }
            if (version == SCHEMA_VERSION) {
                for (String ddl : SCHEMA) {
                    s.executeUpdate(ddl); // indexes added later in the same version
                }
                return;
            }
            // A new file, or one of an older schema: migrated in one transaction, so a crash
            // leaves the old schema whole.
            s.executeUpdate("BEGIN IMMEDIATE");
            try {
                if (version == 1) {
                    migrateFrom1(s);
                }
                if (version == 1 || version == 2) {
                    rowsKeyedByJson(s);
                }
                for (String ddl : SCHEMA) {
                    s.executeUpdate(ddl);
                }
                addMissingColumns(s);
                s.executeUpdate("DELETE FROM schema_version");
                s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + SCHEMA_VERSION + ")");
                s.executeUpdate("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    s.executeUpdate("ROLLBACK");
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
            if (version > 0) {
                LOG.info("data folder migrated from schema {} to {}", version, SCHEMA_VERSION);
            }
        }
    }

    /**
     * Schema 1 to 2: send_now_cuts kept one (the latest) cut per domain and now keeps each cut;
     * report_windows gains its row and message counts (computed by {@link #rowsKeyedByJson}). The
     * ledger's tables (report_deliveries, reported_windows) are new.
     */
    private static void migrateFrom1(Statement s) throws SQLException {
        if (hasTable(s, "send_now_cuts")) {
            s.executeUpdate("ALTER TABLE send_now_cuts RENAME TO send_now_cuts_v1");
            s.executeUpdate("CREATE TABLE send_now_cuts (policy_domain TEXT NOT NULL, cut_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (policy_domain, cut_at)) WITHOUT ROWID");
            s.executeUpdate("INSERT INTO send_now_cuts (policy_domain, cut_at)"
                    + " SELECT policy_domain, cut_at FROM send_now_cuts_v1");
            s.executeUpdate("DROP TABLE send_now_cuts_v1");
        }
        if (hasTable(s, "report_windows")) {
            s.executeUpdate("ALTER TABLE report_windows ADD COLUMN row_count INTEGER NOT NULL DEFAULT 0");
            s.executeUpdate("ALTER TABLE report_windows ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0");
        }
    }

    /**
     * Schemas 1 and 2 to 3: report_rows is keyed by window start, domain and the row's JSON (no
     * separate row key, no expiry column), rebuilt once; counters whose rows have the same JSON
     * become one. Each window's row and message counts are then taken from the counters again.
     */
    private static void rowsKeyedByJson(Statement s) throws SQLException {
        if (!hasTable(s, "report_rows")) {
            return;
        }
        s.executeUpdate("ALTER TABLE report_rows RENAME TO report_rows_old");
        s.executeUpdate("DROP INDEX IF EXISTS report_rows_expiry");
        s.executeUpdate(REPORT_ROWS);
        s.executeUpdate("INSERT INTO report_rows (window_start, policy_domain, row_json, count)"
                + " SELECT window_start, policy_domain, row_json, sum(count) FROM report_rows_old"
                + " GROUP BY window_start, policy_domain, row_json");
        s.executeUpdate("DROP TABLE report_rows_old");
        if (hasTable(s, "report_windows")) {
            String same = " FROM report_rows r WHERE r.policy_domain = report_windows.policy_domain"
                    + " AND r.window_start = report_windows.window_start)";
            s.executeUpdate("UPDATE report_windows SET row_count = (SELECT count(*)" + same
                    + ", message_count = (SELECT coalesce(sum(count), 0)" + same);
        }
    }

    private static boolean hasTable(Statement s, String name) throws SQLException {
        try (ResultSet rs =
                s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'")) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    /**
     * Columns added to schema 1 after its first release, added to a file written before them.
     * Additive only, so the schema version stays: an older build ignores them.
     */
    private static void addMissingColumns(Statement s) throws SQLException {
        boolean hasDigest = false;
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(idempotency)")) {
            while (rs.next()) {
                hasDigest |= rs.getString("name").equals("request_digest");
            }
        }
        if (!hasDigest) {
            s.executeUpdate("ALTER TABLE idempotency ADD COLUMN request_digest TEXT");
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("releasing the data folder lock failed: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection db) {
        if (db == null) {
            return;
        }
        try {
            db.close();
        } catch (SQLException e) {
            LOG.warn("closing the database failed: {}", e.getMessage());
        }
    }

    /** How commits reach the disk (SQLite {@code PRAGMA synchronous} in WAL mode). */
    public enum Durability {
        /** fsync at every commit: acknowledged results survive a process kill and a power loss. */
        FULL(SQLiteConfig.SynchronousMode.FULL),
        /** fsync at checkpoints only: survives a process kill, may lose the last commits on power loss. */
        NORMAL(SQLiteConfig.SynchronousMode.NORMAL);

        private final SQLiteConfig.SynchronousMode synchronous;

        Durability(SQLiteConfig.SynchronousMode synchronous) {
            this.synchronous = synchronous;
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Work for {@link #read}, given the reader connection. */
    @FunctionalInterface
    interface ReadWork<T> {
        T run(Connection reader) throws SQLException;
    }
}
