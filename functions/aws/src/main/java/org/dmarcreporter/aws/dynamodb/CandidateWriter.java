package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Writes the failure candidates of a chunk before the chunk's transaction, each as one PutItem
 * with {@code attribute_not_exists(pk)}: written once however often it is sent (a re-sent put
 * fails its condition), and never missing for a result that is counted. They stay out of the
 * transactions, which then stay small (a candidate may be ~250 KB) and cost 1 WCU per candidate
 * instead of 2.
 */
final class CandidateWriter implements AutoCloseable {

    /**
     * Concurrent puts per batch. The JDK's HTTP keep-alive cache holds 5 connections per host by
     * default ({@code http.maxConnections}); more threads would open fresh connections.
     */
    static final int WRITE_THREADS = 5;

    private final DynamoDbClient db;
    private final ReportItems items;
    private final ExecutorService executor = writerPool();

    CandidateWriter(DynamoDbClient db, ReportItems items) {
        this.db = db;
        this.items = items;
    }

    void write(List<StoredResult> results, WriteRun run) {
        Map<String, FailureCandidate> candidates = new LinkedHashMap<>();
        for (StoredResult r : results) {
            if (r.failureCandidate() != null) {
                candidates.putIfAbsent(r.failureCandidate().id(), r.failureCandidate());
            }
        }
        List<Callable<Void>> tasks = new ArrayList<>(candidates.size());
        for (FailureCandidate c : candidates.values()) {
            tasks.add(() -> {
                put(c, run);
                return null;
            });
        }
        if (tasks.size() == 1) {
            put(candidates.values().iterator().next(), run);
            return;
        }
        List<Future<Void>> futures;
        try {
            futures = executor.invokeAll(tasks);
            RuntimeException first = null;
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    RuntimeException failure =
                            e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    if (first == null) {
                        first = failure;
                    } else {
                        first.addSuppressed(failure);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing the batch", e);
        }
    }

    private void put(FailureCandidate c, WriteRun run) {
        run.checkDeadline();
        ItemWrite w = items.candidate(c, run.candidateJson(c));
        try {
            DynamoErrors.call("PutItem (failure candidate)", () -> db.putItem(w.putRequest()));
            run.wrote(1);
        } catch (ConditionalCheckFailedException e) {
            // Stored before (a retry, a re-sent put, or the same message again): the stream has it.
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }

    /** Daemon threads, created on first use and dropped when idle: nothing runs at cold start. */
    private static ExecutorService writerPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                WRITE_THREADS, WRITE_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dynamodb-candidates-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
