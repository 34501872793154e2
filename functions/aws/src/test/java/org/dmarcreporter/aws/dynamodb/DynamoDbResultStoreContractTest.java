package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.ResultStoreContract;
import org.dmarcreporter.core.store.ResultStoreReadBack;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The DynamoDB store keeps the {@link ResultStore} contract, against moto
 * ({@code DMARC_AWS_ENDPOINT}), read back by scanning its two tables ({@link MotoTables}). Item
 * layout, write costs and crash recovery are in {@link DynamoDbResultStoreTest}.
 */
class DynamoDbResultStoreContractTest extends ResultStoreContract {

    private final PauseSwitch pause = new PauseSwitch();
    private final ExecutorService heldRequests = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "held-request");
        t.setDaemon(true);
        return t;
    });
    private MotoTables tables;
    private DynamoDbResultStore store;

    @BeforeEach
    void open() {
        tables = new MotoTables(pause);
        store = tables.store(clock);
    }

    @AfterEach
    void close() {
        pause.release();
        heldRequests.shutdownNow();
        if (store != null) {
            store.close();
        }
        if (tables != null) {
            tables.close();
        }
    }

    @Override
    protected ResultStore store() {
        return store;
    }

    @Override
    protected void recordCut(String policyDomain, long cutAt) {
        tables.client.putItem(b -> b.tableName(tables.reports.name())
                .item(Map.of(
                        ItemKeys.PK, AttributeValue.fromS(ItemKeys.cutPk(policyDomain)),
                        ItemKeys.SK, AttributeValue.fromS(ItemKeys.CUT_SK),
                        ItemAttributes.CUT_AT, AttributeValue.fromN(Long.toString(cutAt)))));
    }

    /** Runs the batch on another thread and stops it right after its first write: the key's claim. */
    @Override
    protected Optional<HeldRequest> startAndHold(IngestBatch batch) {
        pause.arm();
        Future<IngestOutcome> running = heldRequests.submit(() -> store.ingest(batch));
        pause.awaitPaused(running);
        return Optional.of(() -> {
            pause.release();
            try {
                return running.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("the held request failed", e.getCause());
            } catch (InterruptedException | TimeoutException e) {
                throw new AssertionError("the held request did not finish", e);
            }
        });
    }

    @Override
    protected ResultStoreReadBack readBack() {
        return new ResultStoreReadBack() {
            @Override
            public Map<AggregateRow, Long> rows(ReportingWindow window) {
                Map<AggregateRow, Long> out = new LinkedHashMap<>();
                for (Map<String, AttributeValue> item : tables.reportItems(ItemKeys.rowPk(window))) {
                    if (!item.get(ItemKeys.PK).s().equals(ItemKeys.rowPk(window))) {
                        continue; // another window whose start begins with the same digits
                    }
                    AggregateRow row =
                            StoredJson.row(item.get(ItemAttributes.ROW).s());
                    if (out.put(
                                    row,
                                    Long.parseLong(
                                            item.get(ItemAttributes.COUNT).n()))
                            != null) {
                        throw new IllegalStateException("two counters for one row: " + row);
                    }
                }
                return out;
            }

            @Override
            public Map<ReportingWindow, String> windows() {
                Map<ReportingWindow, String> out = new LinkedHashMap<>();
                for (Map<String, AttributeValue> item : tables.reportItems("WINDOW#")) {
                    ReportingWindow w = new ReportingWindow(
                            item.get(ItemAttributes.DOMAIN).s(),
                            Long.parseLong(item.get(ItemAttributes.WINDOW_START).n()));
                    if (out.put(w, item.get(ItemAttributes.POLICY_RECORD).s()) != null) {
                        throw new IllegalStateException("two index entries for " + w);
                    }
                }
                return out;
            }

            @Override
            public List<FailureCandidate> candidates() {
                List<FailureCandidate> out = new ArrayList<>();
                for (Map<String, AttributeValue> item : tables.scan(tables.candidates)) {
                    out.add(StoredJson.candidate(
                            item.get(ItemAttributes.CANDIDATE).s()));
                }
                return out;
            }
        };
    }

    /**
     * Once armed, holds the first write request that completes (in {@code afterExecution}: DynamoDB
     * has applied it) until released. The test thread sends nothing while a request is held, so
     * moto still serves one request at a time.
     */
    private static final class PauseSwitch implements ExecutionInterceptor {

        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void arm() {
            armed.set(true);
        }

        void release() {
            released.countDown();
        }

        void awaitPaused(Future<?> running) {
            try {
                if (!paused.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError(
                            "the request made no write to hold it at (done: " + running.isDone() + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            if (isWrite(context.request()) && armed.compareAndSet(true, false)) {
                paused.countDown();
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static boolean isWrite(SdkRequest request) {
            return request instanceof PutItemRequest
                    || request instanceof UpdateItemRequest
                    || request instanceof TransactWriteItemsRequest
                    || request instanceof BatchWriteItemRequest
                    || request instanceof DeleteItemRequest;
        }
    }
}
