package org.dmarcreporter.local.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure-report sender's counters, kept across restarts in {@code failure_counters}.
 * {@link #add} only adds in memory (never blocks on the disk, never throws); {@link #flush} writes
 * what was added since the last flush in one transaction. The sender flushes after each page of
 * candidates and when it stops, so a {@code kill -9} loses at most the counts of the page in
 * progress (a lost count, never a lost or repeated report). {@link #read} answers the stored
 * counts plus those not flushed yet.
 */
public final class SqliteFailureMetrics implements FailureMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteFailureMetrics.class);

    private final SqliteResultStore store;
    private final Map<String, AtomicLong> unflushed = new ConcurrentHashMap<>();
    private final PreparedStatement upsert;
    private final PreparedStatement readAll;

    public SqliteFailureMetrics(SqliteResultStore store) {
        this.store = Objects.requireNonNull(store, "store");
        FailureTables.create(store);
        List<PreparedStatement> s = store.prepare(
                "INSERT INTO failure_counters (name, value) VALUES (?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                "SELECT name, value FROM failure_counters");
        upsert = s.get(0);
        readAll = s.get(1);
    }

    @Override
    public void add(String counter, long n) {
        if (counter != null && n > 0) {
            unflushed.computeIfAbsent(counter, c -> new AtomicLong()).addAndGet(n);
        }
    }

    /** Writes the counts added since the last flush; on a store error they stay for the next one. */
    public void flush() {
        Map<String, Long> taken = new LinkedHashMap<>();
        for (Map.Entry<String, AtomicLong> e : unflushed.entrySet()) {
            long n = e.getValue().getAndSet(0);
            if (n > 0) {
                taken.put(e.getKey(), n);
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        try {
            FailureTables.relaxed(store, true, () -> {
                for (Map.Entry<String, Long> e : taken.entrySet()) {
                    upsert.setString(1, e.getKey());
                    upsert.setLong(2, e.getValue());
                    upsert.executeUpdate();
                }
                return null;
            });
        } catch (RuntimeException e) {
            taken.forEach(this::add); // kept for the next flush
            LOG.warn("writing the failure-report counters failed; kept for the next try: {}", e.getMessage());
        }
    }

    /** Every counter: what is stored plus what is not flushed yet. */
    public Map<String, Long> read() {
        Map<String, Long> out = new LinkedHashMap<>(store.withLock(() -> {
            Map<String, Long> stored = new LinkedHashMap<>();
            try (ResultSet rs = readAll.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getLong(2));
                }
            }
            return stored;
        }));
        unflushed.forEach((k, v) -> out.merge(k, v.get(), Long::sum));
        return out;
    }
}
