package org.dmarcreporter.local.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The messageIds seen within {@link org.dmarcreporter.core.store.Retention#DEDUPE}, in memory:
 * 128 bits of each id's SHA-256 with its expiry, in an open-addressing table (48 to 96 bytes per
 * id, so a million messages a day cost 50 to 100 MB of heap).
 *
 * <p>Why memory and not a SQLite index: Message-IDs are random, so each new id lands on a random
 * page of a B-tree and a batch of 100 results dirties about 100 pages, all written to the WAL at
 * commit. Measured here that is some 30 µs of CPU per result, more than everything else the
 * store does. The table {@code message_ids} is therefore an append-only log (sequential rowids,
 * a page or two per batch) from which this index is rebuilt when the store opens.
 *
 * <p>Not thread-safe: the store uses it under its writer lock.
 */
final class MessageIdIndex {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    /** Two longs of SHA-256 per id; a chance collision needs around 2^64 ids. */
    record Key(long high, long low) {

        static Key of(String messageId) {
            byte[] digest = SHA256.get().digest(messageId.getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(digest);
            return new Key(b.getLong(), b.getLong());
        }

        static Key of(byte[] sixteenBytes) {
            ByteBuffer b = ByteBuffer.wrap(sixteenBytes);
            return new Key(b.getLong(), b.getLong());
        }

        byte[] bytes() {
            return ByteBuffer.allocate(16).putLong(high).putLong(low).array();
        }
    }

    private long[] highs;
    private long[] lows;
    /** Expiry (epoch second) per slot; 0 marks an empty slot. */
    private long[] expiries;

    private int size;

    MessageIdIndex() {
        allocate(1 << 12);
    }

    int size() {
        return size;
    }

    /** The id's expiry, or 0 when it is not here. */
    long expiresAt(Key key) {
        int mask = expiries.length - 1;
        for (int slot = slot(key, mask); ; slot = (slot + 1) & mask) {
            if (expiries[slot] == 0) {
                return 0;
            }
            if (highs[slot] == key.high && lows[slot] == key.low) {
                return expiries[slot];
            }
        }
    }

    /** Adds the id, or moves its expiry later. */
    void put(Key key, long expiresAt) {
        if (expiresAt <= 0) {
            throw new IllegalArgumentException("expiry must be positive: " + expiresAt);
        }
        if ((size + 1) * 2 > expiries.length) {
            rebuild(expiries.length * 2, Long.MIN_VALUE);
        }
        insert(key.high, key.low, expiresAt);
    }

    /** Drops ids whose expiry is at or before {@code now}; returns how many. */
    int removeExpired(long now) {
        int before = size;
        int live = 0;
        for (long e : expiries) {
            if (e > now) {
                live++;
            }
        }
        int capacity = 1 << 12;
        while (capacity < live * 2 + 2) {
            capacity <<= 1;
        }
        rebuild(capacity, now);
        return before - size;
    }

    private void insert(long high, long low, long expiresAt) {
        int mask = expiries.length - 1;
        for (int slot = slot(high, low, mask); ; slot = (slot + 1) & mask) {
            if (expiries[slot] == 0) {
                highs[slot] = high;
                lows[slot] = low;
                expiries[slot] = expiresAt;
                size++;
                return;
            }
            if (highs[slot] == high && lows[slot] == low) {
                expiries[slot] = Math.max(expiries[slot], expiresAt);
                return;
            }
        }
    }

    private void rebuild(int capacity, long dropAtOrBefore) {
        long[] oldHighs = highs;
        long[] oldLows = lows;
        long[] oldExpiries = expiries;
        allocate(capacity);
        for (int i = 0; i < oldExpiries.length; i++) {
            if (oldExpiries[i] != 0 && oldExpiries[i] > dropAtOrBefore) {
                insert(oldHighs[i], oldLows[i], oldExpiries[i]);
            }
        }
    }

    private void allocate(int capacity) {
        highs = new long[capacity];
        lows = new long[capacity];
        expiries = new long[capacity];
        size = 0;
    }

    private static int slot(Key key, int mask) {
        return slot(key.high, key.low, mask);
    }

    private static int slot(long high, long low, int mask) {
        // the key is already uniformly distributed (a digest)
        return (int) (high ^ (low >>> 17)) & mask;
    }
}
