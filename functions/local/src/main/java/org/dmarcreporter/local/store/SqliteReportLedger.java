package org.dmarcreporter.local.store;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.run.DeliveryState;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * The aggregate run's {@link ReportLedger} on the local runtime's SQLite file
 * ({@code docs/aggregate-reports.md}), sharing the {@link SqliteResultStore}'s connection and
 * lock: report_windows is the index of unreported windows, report_rows the counters (with
 * row_log, the increments not yet folded into them: {@link SqliteResultStore#fold}),
 * send_now_cuts every cut, report_deliveries the state per (window, recipient),
 * reported_windows the markers and report_leases the run that may send a window's report.
 *
 * <p>Every read is one keyset page ({@code WHERE key > ? ORDER BY key LIMIT ?} on a primary key
 * or index, one more row than asked to know whether another page follows), so nothing reads a
 * whole table; each page holds the store's lock only for its own statement (and, for a window
 * with increments in the log, the fold before it). The listing for {@code GET /v1/reports}
 * ({@link #recentWindows}) folds the log, then counts rows without the lock: it reads on the
 * store's reader connection.
 *
 * <p>{@link #writeCut} goes through {@link SqliteResultStore#recordCut}: under the lock, and in
 * force at once for every batch committed after it, so the local send-now needs no settle wait.
 */
public final class SqliteReportLedger implements ReportLedger {

    private static final String TOKEN_PREFIX = "s1.";

    private static final String READ_DELIVERIES = "SELECT recipient, status, reason, attempts, sent_at, next_retry"
            + " FROM report_deliveries WHERE policy_domain = ? AND window_start = ? ORDER BY recipient";
    private static final String READ_MARKER = "SELECT report_id, date_begin, date_end, reported_at, outcome"
            + " FROM reported_windows WHERE policy_domain = ? AND window_start = ?";
    private static final String RECENT_INDEXED = "SELECT policy_domain, window_start FROM report_windows"
            + " WHERE window_start >= ? ORDER BY window_start DESC, policy_domain LIMIT ?";
    private static final String RECENT_REPORTED = "SELECT policy_domain, window_start FROM reported_windows"
            + " WHERE window_start >= ? ORDER BY window_start DESC, policy_domain LIMIT ?";
    // counted on request, from the rows (the index entry is not rewritten per batch)
    private static final String INDEXED_COUNTS = "SELECT count(*), coalesce(sum(count), 0) FROM report_rows"
            + " WHERE window_start = ? AND policy_domain = ?";

    // failed deliveries of windows not reported (a window marked done keeps its last states)
    private static final String EARLIEST_RETRY = "SELECT min(d.next_retry) FROM report_deliveries d"
            + " WHERE d.status = 'failed' AND d.next_retry > ? AND NOT EXISTS (SELECT 1 FROM reported_windows r"
            + " WHERE r.policy_domain = d.policy_domain AND r.window_start = d.window_start)";

    private final SqliteResultStore store;
    private final PreparedStatement firstWindows;
    private final PreparedStatement nextWindows;
    private final PreparedStatement domainWindows;
    private final PreparedStatement rowPage;
    private final PreparedStatement readCuts;
    private final PreparedStatement readDeliveries;
    private final PreparedStatement writeDelivery;
    private final PreparedStatement insertMarker;
    private final PreparedStatement removeFromIndex;
    private final PreparedStatement readMarker;
    private final PreparedStatement takeLease;
    private final PreparedStatement releaseLease;

    public SqliteReportLedger(SqliteResultStore store) {
        this.store = Objects.requireNonNull(store, "store");
        String window = "SELECT policy_domain, window_start, policy_record FROM report_windows";
        List<PreparedStatement> s = store.prepare(
                window + " ORDER BY policy_domain, window_start LIMIT ?",
                window + " WHERE (policy_domain, window_start) > (?, ?)"
                        + " ORDER BY policy_domain, window_start LIMIT ?",
                window + " WHERE policy_domain = ? AND window_start > ? ORDER BY window_start LIMIT ?",
                "SELECT row_json, count FROM report_rows"
                        + " WHERE window_start = ? AND policy_domain = ? AND row_json > ? ORDER BY row_json LIMIT ?",
                "SELECT DISTINCT cut_at FROM send_now_cuts"
                        + " WHERE policy_domain IN (?, '*') AND cut_at > ? ORDER BY cut_at",
                READ_DELIVERIES,
                "INSERT INTO report_deliveries (policy_domain, window_start, recipient, status,"
                        + " reason, attempts, sent_at, next_retry, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (policy_domain, window_start, recipient) DO UPDATE SET"
                        + " status = excluded.status, reason = excluded.reason, attempts = excluded.attempts,"
                        + " sent_at = excluded.sent_at, next_retry = excluded.next_retry"
                        + " WHERE report_deliveries.status = 'failed'", // a final state stays
                "INSERT OR IGNORE INTO reported_windows (policy_domain, window_start,"
                        + " report_id, date_begin, date_end, reported_at, outcome, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "DELETE FROM report_windows WHERE policy_domain = ? AND window_start = ?",
                READ_MARKER,
                "INSERT INTO report_leases (policy_domain, window_start, holder, lease_until) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (policy_domain, window_start) DO UPDATE SET"
                        + " holder = excluded.holder, lease_until = excluded.lease_until"
                        + " WHERE report_leases.holder = excluded.holder OR report_leases.lease_until < ?",
                "DELETE FROM report_leases WHERE policy_domain = ? AND window_start = ? AND holder = ?");
        firstWindows = s.get(0);
        nextWindows = s.get(1);
        domainWindows = s.get(2);
        rowPage = s.get(3);
        readCuts = s.get(4);
        readDeliveries = s.get(5);
        writeDelivery = s.get(6);
        insertMarker = s.get(7);
        removeFromIndex = s.get(8);
        readMarker = s.get(9);
        takeLease = s.get(10);
        releaseLease = s.get(11);
    }

    @Override
    public WindowPage unreportedWindows(String policyDomain, String pageToken, int pageSize) {
        checkPageSize(pageSize);
        ReportingWindow after = pageToken == null ? null : windowToken(pageToken);
        return store.withLock(() -> {
            PreparedStatement q;
            if (policyDomain != null) {
                q = domainWindows;
                q.setString(1, policyDomain);
                q.setLong(2, after == null ? Long.MIN_VALUE : after.start());
                q.setInt(3, pageSize + 1);
            } else if (after == null) {
                q = firstWindows;
                q.setInt(1, pageSize + 1);
            } else {
                q = nextWindows;
                q.setString(1, after.policyDomain());
                q.setLong(2, after.start());
                q.setInt(3, pageSize + 1);
            }
            List<IndexedWindow> page = new ArrayList<>(Math.min(pageSize + 1, 64));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    page.add(new IndexedWindow(new ReportingWindow(rs.getString(1), rs.getLong(2)), rs.getString(3)));
                }
            }
            if (page.size() <= pageSize) {
                return new WindowPage(page, null);
            }
            List<IndexedWindow> served = page.subList(0, pageSize);
            ReportingWindow last = served.get(pageSize - 1).window();
            return new WindowPage(served, token(last.policyDomain() + '\n' + last.start()));
        });
    }

    @Override
    public RowPage rows(ReportingWindow window, String pageToken, int pageSize) {
        checkPageSize(pageSize);
        String after = pageToken == null ? "" : untoken(pageToken);
        // Only the reading holds the store's lock (ingest waits for it); the JSON is parsed after.
        List<String> json = new ArrayList<>(Math.min(pageSize + 1, 256));
        List<Long> counts = new ArrayList<>(Math.min(pageSize + 1, 256));
        boolean more = store.withLock(() -> {
            store.fold(window);
            rowPage.setLong(1, window.start());
            rowPage.setString(2, window.policyDomain());
            rowPage.setString(3, after);
            rowPage.setInt(4, pageSize + 1);
            try (ResultSet rs = rowPage.executeQuery()) {
                while (rs.next()) {
                    if (json.size() == pageSize) {
                        return true;
                    }
                    json.add(rs.getString(1));
                    counts.add(rs.getLong(2));
                }
            }
            return false;
        });
        List<CountedRow> page = new ArrayList<>(json.size());
        for (int i = 0; i < json.size(); i++) {
            page.add(new CountedRow(StoredJson.row(json.get(i)), counts.get(i)));
        }
        return new RowPage(page, more ? token(json.get(json.size() - 1)) : null);
    }

    @Override
    public List<Long> cuts(String policyDomain) {
        long since = store.clock().instant().getEpochSecond() - Retention.REPORT_DATA.toSeconds();
        return store.withLock(() -> {
            readCuts.setString(1, policyDomain == null ? SqliteResultStore.ALL_DOMAINS : policyDomain);
            readCuts.setLong(2, since);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = readCuts.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void writeCut(String policyDomain, long at) {
        store.recordCut(policyDomain == null ? SqliteResultStore.ALL_DOMAINS : policyDomain, at);
    }

    @Override
    public Map<String, DeliveryState> deliveries(ReportingWindow window) {
        return store.withLock(() -> {
            readDeliveries.setString(1, window.policyDomain());
            readDeliveries.setLong(2, window.start());
            Map<String, DeliveryState> out = new LinkedHashMap<>();
            try (ResultSet rs = readDeliveries.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), state(rs));
                }
            }
            return out;
        });
    }

    @Override
    public void recordDelivery(ReportingWindow window, String recipient, DeliveryState state) {
        Objects.requireNonNull(recipient, "recipient");
        // on disk when it returns; concurrent writes share the fsync
        store.durably(() -> {
            writeDelivery.setString(1, window.policyDomain());
            writeDelivery.setLong(2, window.start());
            writeDelivery.setString(3, recipient);
            writeDelivery.setObject(5, null);
            writeDelivery.setObject(7, null);
            writeDelivery.setObject(8, null);
            if (state instanceof DeliveryState.Sent s) {
                writeDelivery.setString(4, "sent");
                writeDelivery.setLong(7, s.at());
            } else if (state instanceof DeliveryState.Failed f) {
                writeDelivery.setString(4, "failed");
                writeDelivery.setString(5, f.reason());
                writeDelivery.setLong(8, f.nextRetry());
            } else {
                writeDelivery.setString(4, "given-up");
                writeDelivery.setString(5, ((DeliveryState.GivenUp) state).reason());
            }
            writeDelivery.setInt(6, state.attempts());
            writeDelivery.setLong(9, expiry(window));
            writeDelivery.executeUpdate(); // one statement: its own transaction
            return null;
        });
    }

    /**
     * One upsert under the store's lock, applied only when the row is absent, ours or run out.
     * Not fsynced: a lease lost in a crash belonged to a run that died with it.
     */
    @Override
    public boolean takeLease(ReportingWindow window, String holder, long now, long until) {
        Objects.requireNonNull(holder, "holder");
        return store.withoutSync(() -> {
            takeLease.setString(1, window.policyDomain());
            takeLease.setLong(2, window.start());
            takeLease.setString(3, holder);
            takeLease.setLong(4, until);
            takeLease.setLong(5, now);
            return takeLease.executeUpdate() == 1;
        });
    }

    @Override
    public void releaseLease(ReportingWindow window, String holder) {
        store.withoutSync(() -> {
            releaseLease.setString(1, window.policyDomain());
            releaseLease.setLong(2, window.start());
            releaseLease.setString(3, holder);
            releaseLease.executeUpdate();
            return null;
        });
    }

    @Override
    public boolean markReported(ReportingWindow window, ReportedWindow marker) {
        return store.durably(() -> store.inTransaction(() -> {
            insertMarker.setString(1, window.policyDomain());
            insertMarker.setLong(2, window.start());
            insertMarker.setString(3, marker.reportId());
            insertMarker.setLong(4, marker.begin());
            insertMarker.setLong(5, marker.end());
            insertMarker.setLong(6, marker.reportedAt());
            insertMarker.setString(7, marker.outcome());
            insertMarker.setLong(8, expiry(window));
            if (insertMarker.executeUpdate() == 0) {
                return false; // marked before: nothing changes
            }
            removeFromIndex.setString(1, window.policyDomain());
            removeFromIndex.setLong(2, window.start());
            removeFromIndex.executeUpdate();
            store.forgetIndexed(window);
            return true;
        }));
    }

    @Override
    public Optional<ReportedWindow> reported(ReportingWindow window) {
        return store.withLock(() -> marker(readMarker, window));
    }

    /**
     * For the schedule ({@code ReportSchedule}): the earliest retry time, after
     * {@code afterEpochSecond}, of a recipient that failed temporarily in a window not yet
     * reported, whichever run recorded it (a send-now too). On the reader connection: a scan of
     * report_deliveries (one row per recipient of a window still kept) that ingest does not wait for.
     */
    public OptionalLong earliestRetryAfter(long afterEpochSecond) {
        return store.read(db -> {
            try (PreparedStatement q = db.prepareStatement(EARLIEST_RETRY)) {
                q.setLong(1, afterEpochSecond);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        long at = rs.getLong(1);
                        if (!rs.wasNull()) {
                            return OptionalLong.of(at);
                        }
                    }
                }
                return OptionalLong.empty();
            }
        });
    }

    /**
     * For {@code GET /v1/reports}: the windows that start at or after {@code sinceEpochSecond}
     * and hold data or a reported marker, newest first (then by domain), at most {@code limit}
     * (1 to {@link #MAX_PAGE}). Two index scans of at most {@code limit} entries each, and one
     * lookup per listed window, whose rows a pending window counts. All of it in one snapshot on
     * the store's reader connection ({@link SqliteResultStore#read}): counting a large window takes
     * a while, and ingest does not wait for it.
     */
    public List<WindowListing> recentWindows(long sinceEpochSecond, int limit) {
        checkPageSize(limit);
        store.fold(null); // the counts below are report_rows'
        return store.read(db -> {
            try (PreparedStatement indexed = db.prepareStatement(RECENT_INDEXED);
                    PreparedStatement reported = db.prepareStatement(RECENT_REPORTED);
                    PreparedStatement deliveries = db.prepareStatement(READ_DELIVERIES);
                    PreparedStatement marker = db.prepareStatement(READ_MARKER);
                    PreparedStatement counts = db.prepareStatement(INDEXED_COUNTS)) {
                // newest first, then domain; a window both indexed and marked (data stored after it
                // was reported) is listed once, as reported
                TreeMap<ReportingWindow, Boolean> found = new TreeMap<>(Comparator.comparingLong(ReportingWindow::start)
                        .reversed()
                        .thenComparing(ReportingWindow::policyDomain));
                for (PreparedStatement q : List.of(indexed, reported)) {
                    q.setLong(1, sinceEpochSecond);
                    q.setInt(2, limit);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            found.put(new ReportingWindow(rs.getString(1), rs.getLong(2)), Boolean.TRUE);
                        }
                    }
                }
                List<WindowListing> out = new ArrayList<>(Math.min(limit, found.size()));
                for (ReportingWindow w : found.keySet()) {
                    if (out.size() == limit) {
                        break;
                    }
                    out.add(listing(w, deliveries, marker, counts));
                }
                return out;
            }
        });
    }

    private static WindowListing listing(
            ReportingWindow w, PreparedStatement deliveries, PreparedStatement markers, PreparedStatement counts)
            throws SQLException {
        List<WindowListing.Recipient> recipients = new ArrayList<>();
        deliveries.setString(1, w.policyDomain());
        deliveries.setLong(2, w.start());
        try (ResultSet rs = deliveries.executeQuery()) {
            while (rs.next()) {
                recipients.add(WindowListing.Recipient.of(rs.getString(1), state(rs)));
            }
        }
        Optional<ReportedWindow> marker = marker(markers, w);
        if (marker.isPresent()) {
            ReportedWindow m = marker.get();
            return new WindowListing(
                    w.policyDomain(),
                    w.start(),
                    WindowListing.REPORTED,
                    null,
                    null,
                    m.reportId(),
                    m.outcome(),
                    m.reportedAt(),
                    recipients);
        }
        counts.setLong(1, w.start());
        counts.setString(2, w.policyDomain());
        long rows = 0;
        long messages = 0;
        try (ResultSet rs = counts.executeQuery()) {
            if (rs.next()) {
                rows = rs.getLong(1);
                messages = rs.getLong(2);
            }
        }
        return new WindowListing(
                w.policyDomain(), w.start(), WindowListing.PENDING, rows, messages, null, null, null, recipients);
    }

    private static Optional<ReportedWindow> marker(PreparedStatement readMarker, ReportingWindow window)
            throws SQLException {
        readMarker.setString(1, window.policyDomain());
        readMarker.setLong(2, window.start());
        try (ResultSet rs = readMarker.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(
                    new ReportedWindow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5)));
        }
    }

    /** The state in the current row of a report_deliveries select. */
    private static DeliveryState state(ResultSet rs) throws SQLException {
        String status = rs.getString(2);
        int attempts = rs.getInt(4);
        return switch (status) {
            case "sent" -> new DeliveryState.Sent(rs.getLong(5), attempts);
            case "failed" -> new DeliveryState.Failed(rs.getString(3), attempts, rs.getLong(6));
            case "given-up" -> new DeliveryState.GivenUp(rs.getString(3), attempts);
            default -> throw new SQLException("unknown delivery status in report_deliveries: " + status);
        };
    }

    private static long expiry(ReportingWindow window) {
        return window.start() + Retention.REPORT_DATA.toSeconds();
    }

    private static void checkPageSize(int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1 to " + MAX_PAGE + ": " + pageSize);
        }
    }

    private static String token(String lastKey) {
        return TOKEN_PREFIX
                + Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    private static String untoken(String token) {
        if (!token.startsWith(TOKEN_PREFIX)) {
            throw new IllegalArgumentException("not a page token of this store");
        }
        try {
            return new String(
                    Base64.getUrlDecoder().decode(token.substring(TOKEN_PREFIX.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a page token of this store", e);
        }
    }

    private static ReportingWindow windowToken(String token) {
        String key = untoken(token);
        int nl = key.lastIndexOf('\n');
        try {
            return new ReportingWindow(key.substring(0, nl), Long.parseLong(key.substring(nl + 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a page token of this store", e);
        }
    }
}
