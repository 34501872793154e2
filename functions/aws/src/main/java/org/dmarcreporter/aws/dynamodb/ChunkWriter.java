package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.store.WindowPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Writes each chunk ({@link ChunkPlanner}) as one TransactWriteItems: marker, message markers,
 * window index and merged counters commit together or not at all. The chunk's failure
 * candidates are put just before ({@link CandidateWriter}).
 *
 * <p>Every transaction carries one item whose condition fails if the same transaction was
 * already applied, so a re-sent transaction (the SDK retries when an answer is lost) is
 * cancelled instead of counted twice: without a key a write marker with a fresh random token,
 * with a key the progress update of the request item, which adds the chunk's request indexes
 * to its {@code counted} set only while this attempt owns the key and the first of them is not
 * in the set yet. See {@code docs/dynamodb-data-model.md}.
 */
final class ChunkWriter {

    private final DynamoDbClient db;
    private final ReportItems items;
    private final IdempotencyLedger ledger;
    private final CandidateWriter candidates;

    ChunkWriter(DynamoDbClient db, ReportItems items, IdempotencyLedger ledger, CandidateWriter candidates) {
        this.db = db;
        this.items = items;
        this.ledger = ledger;
        this.candidates = candidates;
    }

    /** @param owner the owner token of the keyed request's claim, null without a key */
    void write(List<List<StoredResult>> chunks, WriteRun run, String owner) {
        for (List<StoredResult> chunk : chunks) {
            writeChunk(chunk, run, owner);
        }
    }

    private void writeChunk(List<StoredResult> chunk, WriteRun run, String owner) {
        candidates.write(chunk, run);
        List<StoredResult> pending = new ArrayList<>(chunk);
        String token = UUID.randomUUID().toString();
        for (int attempt = 0; ; attempt++) {
            if (pending.isEmpty()) {
                return; // every message was already counted by an earlier request
            }
            List<ItemWrite> writes = itemsFor(pending, run, owner, token);
            run.checkDeadline();
            try {
                DynamoErrors.call(
                        "TransactWriteItems",
                        () -> db.transactWriteItems(b -> b.transactItems(
                                writes.stream().map(ItemWrite::transactItem).toList())));
                run.wrote(writes.size());
                return;
            } catch (TransactionCanceledException e) {
                Cancellation c = readCancellation(e, writes);
                if (c.progressRefused) {
                    if (ledger.applied(
                            run.batch().idempotencyKey(), owner, pending.get(0).requestIndex())) {
                        return; // the SDK re-sent this transaction after DynamoDB had applied it
                    }
                    throw new StoreUnavailableException(
                            "another attempt with this Idempotency-Key took the key"
                                    + " over while this one was storing it; this one stopped, retry with the same key",
                            e);
                }
                if (c.alreadyApplied) {
                    return; // the SDK re-sent this transaction after DynamoDB had applied it
                }
                for (String messageId : c.storedMessages) {
                    int before = pending.size();
                    pending.removeIf(r -> messageId.equals(r.messageId()));
                    run.duplicate(before - pending.size());
                }
                if (c.storedMessages.isEmpty()) {
                    run.backoff(attempt); // only conflicts or throttling: the same chunk again, later
                }
            }
        }
    }

    private List<ItemWrite> itemsFor(List<StoredResult> results, WriteRun run, String owner, String token) {
        List<ItemWrite> writes = new ArrayList<>();
        long now = run.storedAtSeconds();
        if (owner != null) {
            writes.add(items.progress(
                    run.batch().idempotencyKey(),
                    owner,
                    results.stream().map(StoredResult::requestIndex).toList()));
        } else {
            writes.add(items.writeMarker(token, now));
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
                        case WRITE_MARKER -> c.alreadyApplied = true;
                        case PROGRESS -> c.progressRefused = true;
                        case MESSAGE -> c.storedMessages.add(w.ref());
                        default ->
                            throw new IllegalStateException(
                                    "unexpected failed condition on a " + w.kind() + " item: " + e.getMessage(), e);
                    }
                }
                case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded" -> c.retryable = true;
                default ->
                    throw new IllegalStateException(
                            "transaction cancelled (" + code + ": "
                                    + reasons.get(i).message() + ")",
                            e);
            }
        }
        if (!c.alreadyApplied && !c.progressRefused && !c.retryable && c.storedMessages.isEmpty()) {
            throw new IllegalStateException("transaction cancelled for no reason we know: " + e.getMessage(), e);
        }
        return c;
    }

    private static final class Cancellation {
        boolean alreadyApplied;
        boolean progressRefused;
        boolean retryable;
        final Set<String> storedMessages = new LinkedHashSet<>();
    }
}
