package org.dmarcreporter.local.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Copies the write-ahead log into the database file on its own connection and thread, so that
 * the writer (which holds the store's lock) only appends to the WAL and syncs it. A PASSIVE
 * checkpoint never blocks the writer and syncs the file before it marks frames as copied, so no
 * acknowledged result depends on it; the writer's own auto-checkpoint stays as a bound on the
 * WAL's size should this thread fall behind.
 */
final class WalCheckpointer implements AutoCloseable {

    private static final long EVERY_MILLIS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);

    private final Connection db;
    private final Thread thread;
    private volatile boolean written;
    private volatile boolean stopped;

    private WalCheckpointer(Connection db) {
        this.db = db;
        this.thread = new Thread(this::run, "sqlite-checkpoint");
        thread.setDaemon(true);
    }

    static WalCheckpointer start(String url, SQLiteConfig.SynchronousMode synchronous) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(synchronous);
        config.setBusyTimeout(10_000);
        WalCheckpointer c = new WalCheckpointer(config.createConnection(url));
        c.thread.start();
        return c;
    }

    /** Called after each commit: there is something to copy. */
    void written() {
        written = true;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!written || stopped) {
                continue;
            }
            written = false;
            try (Statement s = db.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                rs.next();
            } catch (SQLException e) {
                LOG.debug("background checkpoint: {}", e.getMessage()); // the writer's own checkpoint remains
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            db.close();
        } catch (SQLException e) {
            LOG.warn("closing the checkpoint connection failed: {}", e.getMessage());
        }
    }
}
