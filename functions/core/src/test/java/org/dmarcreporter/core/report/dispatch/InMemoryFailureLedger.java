package org.dmarcreporter.core.report.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link FailureLedger} in memory, for tests of the dispatcher and of the edge modules: every
 * method is synchronized, which gives the atomicity the port asks for.
 */
public class InMemoryFailureLedger implements FailureLedger {

    private record Marker(long expiresAt) {}

    private static final class Slot {
        long heldCount;
        String representative;
        long heldSince;
        long dueAt;
    }

    private record Bucket(String key, long start) {}

    private final Map<String, Marker> markers = new HashMap<>();
    private final Map<String, Slot> slots = new HashMap<>();
    private final Map<Bucket, Long> buckets = new HashMap<>();

    @Override
    public synchronized boolean claimSend(String reportKey, String recipient, long now, long expiresAt) {
        String key = markerKey(reportKey, recipient);
        Marker m = markers.get(key);
        if (m != null && m.expiresAt() > now) {
            return false;
        }
        markers.put(key, new Marker(expiresAt));
        return true;
    }

    @Override
    public synchronized void releaseSend(String reportKey, String recipient) {
        markers.remove(markerKey(reportKey, recipient));
    }

    @Override
    public synchronized Join joinSlot(String slotKey, String representative, long now, long openUntil) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (openUntil <= now) {
            throw new IllegalArgumentException("openUntil must be after now");
        }
        Slot s = live(slotKey, now);
        if (s == null || (s.heldCount == 0 && s.dueAt <= now)) {
            s = new Slot();
            s.dueAt = openUntil;
            slots.put(slotKey, s);
            return new Join.Opened(openUntil);
        }
        if (s.heldCount == 0) {
            s.representative = representative;
            s.heldSince = now;
        }
        s.heldCount++;
        return new Join.Joined(s.heldCount, s.dueAt);
    }

    @Override
    public synchronized long hold(
            String slotKey, String representative, long count, long heldSince, long now, long dueAt) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        Slot s = live(slotKey, now);
        if (s == null || (s.heldCount == 0 && s.dueAt <= now)) {
            s = new Slot();
            s.dueAt = dueAt;
            slots.put(slotKey, s);
        } else {
            s.dueAt = Math.max(s.dueAt, dueAt);
        }
        if (s.heldCount == 0) {
            s.representative = representative;
            s.heldSince = heldSince;
        } else {
            s.heldSince = Math.min(s.heldSince, heldSince);
        }
        s.heldCount += count;
        return s.heldCount;
    }

    @Override
    public synchronized Optional<TakenSlot> takeSlot(String slotKey, long now, long reopenUntil) {
        Slot s = live(slotKey, now);
        if (s == null || s.heldCount == 0) {
            return Optional.empty();
        }
        TakenSlot taken = new TakenSlot(s.heldCount, s.representative, s.heldSince);
        s.heldCount = 0;
        s.representative = null;
        s.heldSince = 0;
        s.dueAt = reopenUntil;
        return Optional.of(taken);
    }

    @Override
    public synchronized boolean takeToken(String bucketKey, long bucketStart, long limit, long expiresAt) {
        FailureLedger.checkKey(bucketKey);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        Bucket b = new Bucket(bucketKey, bucketStart);
        long count = buckets.getOrDefault(b, 0L);
        if (count >= limit) {
            return false;
        }
        buckets.put(b, count + 1);
        return true;
    }

    @Override
    public synchronized List<DueSlot> dueSlots(long now, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE);
        }
        List<DueSlot> due = new ArrayList<>();
        slots.forEach((k, s) -> {
            if (s.heldCount > 0 && s.dueAt <= now && s.dueAt + SLOT_RETENTION_SECONDS > now) {
                due.add(new DueSlot(k, s.dueAt));
            }
        });
        due.sort(Comparator.comparingLong(DueSlot::dueAt).thenComparing(DueSlot::slotKey));
        return List.copyOf(due.subList(0, Math.min(limit, due.size())));
    }

    /** How many slots, markers and buckets are kept (for tests that bound the state a flood leaves). */
    public synchronized int size() {
        return markers.size() + slots.size() + buckets.size();
    }

    private Slot live(String slotKey, long now) {
        Slot s = slots.get(slotKey);
        if (s != null && s.heldCount > 0 && s.dueAt + SLOT_RETENTION_SECONDS <= now) {
            slots.remove(slotKey);
            return null;
        }
        return s;
    }

    private static String markerKey(String reportKey, String recipient) {
        FailureLedger.checkKey(reportKey);
        FailureLedger.checkKey(recipient);
        String key = reportKey + '\u0000' + recipient;
        return key;
    }
}
