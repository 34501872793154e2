package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.store.WindowPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Writes planned chunks ({@link ChunkPlanner}, {@link ResumedPlan}) as one TransactWriteItems
 * each: message markers, chunk marker, window index, merged counters and failure candidates
 * commit together or not at all, so a message is counted exactly when its marker is stored.
 */
final class ChunkWriter {

    private final DynamoDbClient db;
    private final ReportItems items;

    ChunkWriter(DynamoDbClient db, ReportItems items) {
        this.db = db;
        this.items = items;
    }

    void write(List<PlannedChunk> chunks, WriteRun run) {
        for (PlannedChunk chunk : chunks) {
            writeChunk(chunk.number(), chunk.results(), run);
        }
    }

    private void writeChunk(int chunkNo, List<StoredResult> chunk, WriteRun run) {
        List<StoredResult> pending = new ArrayList<>(chunk);
        Set<String> existingCandidates = new HashSet<>();
        for (int attempt = 0; ; attempt++) {
            List<ItemWrite> writes = itemsFor(chunkNo, pending, existingCandidates, run);
            if (writes.isEmpty()) {
                return; // every message was already stored and there is no chunk marker to write
            }
            run.checkDeadline();
            try {
                DynamoErrors.call("TransactWriteItems", () -> db.transactWriteItems(b -> b
                        .transactItems(writes.stream().map(ItemWrite::transactItem).toList())));
                run.wrote(writes.size());
                return;
            } catch (TransactionCanceledException e) {
                Cancellation c = readCancellation(e, writes);
                if (c.alreadyApplied) {
                    return; // an earlier attempt with this key committed this chunk
                }
                for (String messageId : c.storedMessages) {
                    int before = pending.size();
                    pending.removeIf(r -> messageId.equals(r.messageId()));
                    run.duplicate(before - pending.size());
                }
                existingCandidates.addAll(c.existingCandidates);
                if (c.storedMessages.isEmpty() && c.existingCandidates.isEmpty()) {
                    run.backoff(attempt); // only conflicts or throttling: the same chunk again, later
                }
            }
        }
    }

    private List<ItemWrite> itemsFor(int chunkNo, List<StoredResult> results, Set<String> existingCandidates,
                                     WriteRun run) {
        List<ItemWrite> writes = new ArrayList<>();
        String key = run.batch().idempotencyKey();
        long now = run.storedAtSeconds();
        if (key != null) {
            writes.add(items.chunkMarker(key, chunkNo, now));
        }
        if (run.batch().dedupeMessageIds()) {
            Set<String> ids = new LinkedHashSet<>();
            for (StoredResult r : results) {
                if (r.messageId() != null) {
                    ids.add(r.messageId());
                }
            }
            for (String id : ids) {
                writes.add(items.message(id, now));
            }
        }
        for (WindowPolicy w : WindowPolicy.latest(results)) {
            writes.add(items.window(w, now));
        }
        for (RowIncrement inc : RowIncrement.merge(results)) {
            writes.add(items.row(inc, StoredJson.rowJson(inc.row())));
        }
        Set<String> candidateIds = new HashSet<>(existingCandidates);
        for (StoredResult r : results) {
            FailureCandidate c = r.failureCandidate();
            if (c != null && candidateIds.add(c.id())) {
                writes.add(items.candidate(c, run.candidateJson(c)));
            }
        }
        return writes;
    }

    private static Cancellation readCancellation(TransactionCanceledException e, List<ItemWrite> writes) {
        Cancellation c = new Cancellation();
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        if (reasons.size() != writes.size()) {
            throw new IllegalStateException("transaction cancelled without a reason per item: " + e.getMessage(), e);
        }
        for (int i = 0; i < reasons.size(); i++) {
            String code = reasons.get(i).code();
            ItemWrite w = writes.get(i);
            if (code == null || code.equals("None")) {
                continue;
            }
            switch (code) {
                case "ConditionalCheckFailed" -> {
                    switch (w.kind()) {
                        case CHUNK_MARKER -> c.alreadyApplied = true;
                        case MESSAGE -> c.storedMessages.add(w.ref());
                        case CANDIDATE -> c.existingCandidates.add(w.ref());
                        default -> throw new IllegalStateException(
                                "unexpected failed condition on a " + w.kind() + " item: " + e.getMessage(), e);
                    }
                }
                case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded" -> c.retryable = true;
                default -> throw new IllegalStateException(
                        "transaction cancelled (" + code + ": " + reasons.get(i).message() + ")", e);
            }
        }
        if (!c.alreadyApplied && !c.retryable && c.storedMessages.isEmpty() && c.existingCandidates.isEmpty()) {
            throw new IllegalStateException("transaction cancelled for no reason we know: " + e.getMessage(), e);
        }
        return c;
    }

    private static final class Cancellation {
        boolean alreadyApplied;
        boolean retryable;
        final Set<String> storedMessages = new LinkedHashSet<>();
        final Set<String> existingCandidates = new LinkedHashSet<>();
    }
}
