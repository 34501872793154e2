package org.dmarcreporter.local.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a store's SQLite file directly, with its own connection, the way a second process
 * would: what these queries see is what was committed.
 */
public final class StoreContents implements AutoCloseable {

    private final Connection db;

    private StoreContents(Connection db) {
        this.db = db;
    }

    /** Opens {@code dataDir}'s database file. */
    public static StoreContents open(Path dataDir) {
        try {
            return new StoreContents(DriverManager.getConnection("jdbc:sqlite:"
                    + dataDir.resolve(SqliteResultStore.FILE_NAME).toAbsolutePath()));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The counters as they stand, folded or not: report_rows plus the increments still in row_log
     * (SqliteResultStore#fold), summed per counter.
     */
    private static final String COUNTERS = "(SELECT window_start, policy_domain, row_json, sum(count) AS count"
            + " FROM (SELECT window_start, policy_domain, row_json, count FROM report_rows"
            + " UNION ALL SELECT window_start, policy_domain, row_json, count FROM row_log)"
            + " GROUP BY window_start, policy_domain, row_json)";

    /** Sum of every counter. */
    public long totalCount() {
        return longValue("SELECT coalesce(sum(count), 0) FROM " + COUNTERS);
    }

    /** Sum of the counters of one domain. */
    public long totalCount(String policyDomain) {
        return longValue("SELECT coalesce(sum(count), 0) FROM " + COUNTERS + " WHERE policy_domain = ?", policyDomain);
    }

    /** How many counters (distinct rows of a window) there are, folded or not. */
    public long counters() {
        return longValue("SELECT count(*) FROM " + COUNTERS);
    }

    /** Row JSON (the counter's key) -> count, for one window. */
    public Map<String, Long> counts(String policyDomain, long windowStart) {
        Map<String, Long> out = new LinkedHashMap<>();
        query(
                "SELECT row_json, count FROM " + COUNTERS
                        + " WHERE policy_domain = ? AND window_start = ? ORDER BY row_json",
                rs -> out.put(rs.getString(1), rs.getLong(2)),
                policyDomain,
                windowStart);
        return out;
    }

    /** "domain@start" -> policy record. */
    public Map<String, String> windows() {
        Map<String, String> out = new LinkedHashMap<>();
        query(
                "SELECT policy_domain, window_start, policy_record FROM report_windows ORDER BY policy_domain, window_start",
                rs -> out.put(rs.getString(1) + "@" + rs.getLong(2), rs.getString(3)));
        return out;
    }

    public List<String> candidateIds() {
        List<String> out = new ArrayList<>();
        query("SELECT id FROM failure_candidates ORDER BY id", rs -> out.add(rs.getString(1)));
        return out;
    }

    public String candidateJson(String id) {
        List<String> out = new ArrayList<>();
        query("SELECT candidate_json FROM failure_candidates WHERE id = ?", rs -> out.add(rs.getString(1)), id);
        return out.isEmpty() ? null : out.get(0);
    }

    public long rows(String table) {
        return longValue("SELECT count(*) FROM " + table);
    }

    public boolean hasMessageId(String messageId) {
        return longValue("SELECT count(*) FROM message_ids WHERE message_id = ?", messageId) > 0;
    }

    public long longValue(String sql, Object... args) {
        long[] out = {0};
        query(sql, rs -> out[0] = rs.getLong(1), args);
        return out[0];
    }

    private void query(String sql, RowReader reader, Object... args) {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }
}
