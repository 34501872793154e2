package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.store.WindowPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Writes results without transactions: one UpdateItem per window index entry, then one
 * UpdateItem per distinct counter row and one conditional PutItem per failure candidate, a few
 * at a time. The cheapest path (1 WCU per item), used when nothing needs de-duplicating.
 */
final class DirectWriter {

    private static final int CONFLICT_ATTEMPTS = 8;

    private final DynamoDbClient db;
    private final ReportItems items;
    private final ExecutorService executor;

    DirectWriter(DynamoDbClient db, ReportItems items, ExecutorService executor) {
        this.db = db;
        this.items = items;
        this.executor = executor;
    }

    void write(List<StoredResult> results, WriteRun run) {
        if (results.isEmpty()) {
            return;
        }
        List<ItemWrite> windows = new ArrayList<>();
        for (WindowPolicy w : WindowPolicy.latest(results)) {
            windows.add(items.window(w, run.storedAtSeconds()));
        }
        // The index goes first: a counter must never exist without the entry that makes the
        // aggregate run look at its window.
        writeAll(windows, run);

        List<ItemWrite> rest = new ArrayList<>();
        for (RowIncrement inc : RowIncrement.merge(results)) {
            rest.add(items.row(inc, StoredJson.rowJson(inc.row())));
        }
        Set<String> candidateIds = new HashSet<>();
        for (StoredResult r : results) {
            FailureCandidate c = r.failureCandidate();
            if (c != null && candidateIds.add(c.id())) {
                rest.add(items.candidate(c, run.candidateJson(c)));
            }
        }
        writeAll(rest, run);
    }

    private void writeAll(List<ItemWrite> writes, WriteRun run) {
        if (writes.size() <= 1) {
            for (ItemWrite w : writes) {
                writeOne(w, run);
            }
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(writes.size());
        for (ItemWrite w : writes) {
            tasks.add(() -> {
                writeOne(w, run);
                return null;
            });
        }
        List<Future<Void>> futures;
        try {
            futures = executor.invokeAll(tasks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing the batch", e);
        }
        RuntimeException first = null;
        for (Future<Void> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                RuntimeException failure = e.getCause() instanceof RuntimeException r ? r
                        : new IllegalStateException(e.getCause());
                if (first == null) {
                    first = failure;
                } else if (first != failure) {
                    first.addSuppressed(failure);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted while storing the batch", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void writeOne(ItemWrite w, WriteRun run) {
        for (int attempt = 0; ; attempt++) {
            run.checkDeadline();
            try {
                if (w.isPut()) {
                    DynamoErrors.call("PutItem", () -> db.putItem(w.putRequest()));
                } else {
                    DynamoErrors.call("UpdateItem", () -> db.updateItem(w.updateRequest()));
                }
                run.wrote(1);
                return;
            } catch (ConditionalCheckFailedException e) {
                if (w.kind() == ItemWrite.Kind.CANDIDATE) {
                    return; // written by an earlier attempt: the stream already has it
                }
                throw e;
            } catch (StoreUnavailableException e) {
                // A transaction of another request holds the item for a moment: wait and retry.
                if (!(e.getCause() instanceof TransactionConflictException) || attempt + 1 >= CONFLICT_ATTEMPTS) {
                    throw e;
                }
                run.backoff(attempt);
            }
        }
    }
}
