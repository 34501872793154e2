package org.dmarcreporter.local.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.dmarcreporter.core.store.StoreUnavailableException;

/**
 * Group commit for ingest batches and ledger writes ({@link SqliteResultStore#durably};
 * {@code docs/command-line.md}, {@code docs/send-now.md}): commits made at
 * {@code synchronous=NORMAL} are in the WAL file but maybe not on disk; {@link #syncThrough}
 * returns once the commit with the given number is, and one fsync of the WAL serves every commit
 * counted before it started. The WAL is appended in order and a checkpoint at NORMAL syncs it
 * first, so a synced WAL holds every earlier commit.
 *
 * <p>The WAL's channel is opened once and kept: closing a second descriptor of a SQLite file can
 * drop that process's POSIX locks on it, so we never open and close one per sync.
 */
final class WalSync {

    private final Path wal;
    private final AtomicLong committed = new AtomicLong();
    private final Object syncing = new Object();
    private volatile long synced;
    private FileChannel channel; // guarded by syncing

    WalSync(Path wal) {
        this.wal = wal;
    }

    /** Counts a commit that has just been made (call under the store's lock); its number for {@link #syncThrough}. */
    long committed() {
        return committed.incrementAndGet();
    }

    /** Returns once commit {@code n} is on disk. */
    void syncThrough(long n) {
        if (synced >= n) {
            return;
        }
        synchronized (syncing) {
            if (synced >= n) {
                return;
            }
            long upTo = committed.get(); // each of these is in the WAL already
            try {
                if (channel == null) {
                    channel = FileChannel.open(wal, StandardOpenOption.READ);
                }
                channel.force(false);
            } catch (NoSuchFileException e) {
                // no WAL: the last connection's checkpoint moved everything into the database and synced it
            } catch (IOException e) {
                throw new StoreUnavailableException("could not sync " + wal + ": " + e.getMessage(), e);
            }
            synced = upTo;
        }
    }
}
