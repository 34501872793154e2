package org.dmarcreporter.core.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * The store semantics of {@link ResultStore} in memory, for tests of the core and of the edges;
 * {@code InMemoryResultStoreContractTest} checks it against {@link ResultStoreContract}. Not for
 * production: nothing survives the process.
 */
public final class InMemoryResultStore implements ResultStore, ResultStoreReadBack {

    private record Answer(String requestDigest, byte[] response, Instant expiresAt) {}

    private final Map<ReportingWindow, Map<AggregateRow, Long>> rows = new LinkedHashMap<>();
    private final Map<ReportingWindow, String> windows = new LinkedHashMap<>();
    private final Map<String, Answer> answers = new HashMap<>();
    private final Set<String> keysInProgress = new HashSet<>();
    /** messageId -> until when it counts as seen. */
    private final Map<String, Instant> messageIds = new HashMap<>();

    private final Map<String, FailureCandidate> candidates = new LinkedHashMap<>();
    private final Map<String, Long> cuts = new HashMap<>();
    private int batches;

    @Override
    public synchronized long latestCut(String policyDomain) {
        return Math.max(cuts.getOrDefault(policyDomain, 0L), cuts.getOrDefault("*", 0L));
    }

    /** Records a send-now cut for {@code policyDomain} ({@code "*"}: every domain). */
    public synchronized void cut(String policyDomain, long at) {
        cuts.put(policyDomain, at);
    }

    /**
     * Marks {@code idempotencyKey} as taken by a request being stored elsewhere: requests with it
     * answer {@link IngestOutcome.InProgress} until {@link #releaseKey}.
     */
    public synchronized void holdKey(String idempotencyKey) {
        keysInProgress.add(Objects.requireNonNull(idempotencyKey));
    }

    public synchronized void releaseKey(String idempotencyKey) {
        keysInProgress.remove(idempotencyKey);
    }

    @Override
    public synchronized IngestOutcome ingest(IngestBatch batch) {
        Instant now = batch.storedAt();
        String key = batch.idempotencyKey();
        if (key != null) {
            if (keysInProgress.contains(key)) {
                return new IngestOutcome.InProgress();
            }
            Answer earlier = answers.get(key);
            if (earlier != null && earlier.expiresAt().isAfter(now)) {
                if (earlier.requestDigest() != null
                        && batch.requestDigest() != null
                        && !earlier.requestDigest().equals(batch.requestDigest())) {
                    return new IngestOutcome.KeyReused();
                }
                return new IngestOutcome.Replayed(earlier.response());
            }
        }
        Instant seenUntil = now.plus(Retention.DEDUPE);
        List<StoredResult> counted = new ArrayList<>(batch.results().size());
        int duplicates = 0;
        int writes = 0;
        for (StoredResult r : batch.results()) {
            if (batch.dedupeMessageIds() && r.messageId() != null) {
                Instant until = messageIds.get(r.messageId());
                if (until != null && until.isAfter(now)) {
                    duplicates++; // stored before within 24 h, or earlier in this batch
                    continue;
                }
                messageIds.put(r.messageId(), seenUntil);
                writes++;
            }
            counted.add(r);
        }
        for (RowIncrement inc : RowIncrement.merge(counted)) {
            rows.computeIfAbsent(inc.window(), w -> new LinkedHashMap<>()).merge(inc.row(), inc.count(), Long::sum);
            writes++;
        }
        for (WindowPolicy p : WindowPolicy.latest(counted)) {
            windows.put(p.window(), p.policyRecord());
            writes++;
        }
        for (StoredResult r : counted) {
            if (r.failureCandidate() != null
                    && candidates.putIfAbsent(r.failureCandidate().id(), r.failureCandidate()) == null) {
                writes++;
            }
        }
        if (key != null) {
            answers.put(key, new Answer(batch.requestDigest(), batch.response(), seenUntil));
            writes++;
        }
        batches++;
        return new IngestOutcome.Stored(duplicates, writes);
    }

    @Override
    public synchronized Map<AggregateRow, Long> rows(ReportingWindow window) {
        return Map.copyOf(rows.getOrDefault(window, Map.of()));
    }

    /** Sum of all counters. */
    public synchronized long totalCount() {
        return rows.values().stream()
                .flatMap(r -> r.values().stream())
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Counters over all windows. */
    public synchronized int distinctRows() {
        return rows.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public synchronized Map<ReportingWindow, String> windows() {
        return Map.copyOf(windows);
    }

    @Override
    public synchronized List<FailureCandidate> candidates() {
        return List.copyOf(candidates.values());
    }

    /** Batches stored (not replayed, refused or in progress). */
    public synchronized int batches() {
        return batches;
    }
}
