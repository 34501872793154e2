package org.dmarcreporter.aws.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Counts DynamoDB writes as the client sends them. A "write" is one item written by a call that
 * succeeded: PutItem/UpdateItem/DeleteItem 1, BatchWriteItem one per request entry,
 * TransactWriteItems one per item (kept apart: a transactional item costs 2 WCU). Failed calls
 * (conditional failures, cancelled transactions) are counted separately: DynamoDB bills them too.
 *
 * <p>WCU figures are estimates from the request: ceil(item bytes / 1 KB) per item, item bytes =
 * attribute names plus values of the key and of everything the request sets.
 */
public final class WriteCounter implements ExecutionInterceptor {

    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong transactionalItems = new AtomicLong();
    private final AtomicLong wcu = new AtomicLong();
    private final AtomicLong failedCalls = new AtomicLong();
    private final AtomicLong failedItems = new AtomicLong();
    private final Map<String, AtomicLong> callsByOperation = new ConcurrentHashMap<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Write w = measure(context.request());
        if (w == null) {
            return;
        }
        calls.incrementAndGet();
        callsByOperation.computeIfAbsent(w.operation, k -> new AtomicLong()).incrementAndGet();
        if (w.transactional) {
            transactionalItems.addAndGet(w.items);
        } else {
            items.addAndGet(w.items);
        }
        wcu.addAndGet(w.wcu);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Write w = measure(context.request());
        if (w != null) {
            failedCalls.incrementAndGet();
            failedItems.addAndGet(w.items);
        }
    }

    public void reset() {
        calls.set(0);
        items.set(0);
        transactionalItems.set(0);
        wcu.set(0);
        failedCalls.set(0);
        failedItems.set(0);
        callsByOperation.clear();
    }

    /** Successful write calls. */
    public long calls() {
        return calls.get();
    }

    public long calls(String operation) {
        AtomicLong n = callsByOperation.get(operation);
        return n == null ? 0 : n.get();
    }

    /** Items written outside transactions. */
    public long items() {
        return items.get();
    }

    /** Items written inside TransactWriteItems. */
    public long transactionalItems() {
        return transactionalItems.get();
    }

    public long allItems() {
        return items.get() + transactionalItems.get();
    }

    /** Estimated write capacity units of the successful calls (transactional items count double). */
    public long wcu() {
        return wcu.get();
    }

    public long failedCalls() {
        return failedCalls.get();
    }

    public long failedItems() {
        return failedItems.get();
    }

    public Map<String, Long> callsByOperation() {
        Map<String, Long> out = new TreeMap<>();
        callsByOperation.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private record Write(String operation, boolean transactional, long items, long wcu) {}

    private static Write measure(SdkRequest request) {
        if (request instanceof PutItemRequest p) {
            return new Write("PutItem", false, 1, units(size(p.item())));
        }
        if (request instanceof UpdateItemRequest u) {
            return new Write("UpdateItem", false, 1, units(size(u.key()) + size(u.expressionAttributeValues())));
        }
        if (request instanceof DeleteItemRequest d) {
            return new Write("DeleteItem", false, 1, units(size(d.key())));
        }
        if (request instanceof BatchWriteItemRequest b) {
            long n = 0;
            long units = 0;
            for (var table : b.requestItems().values()) {
                for (WriteRequest w : table) {
                    n++;
                    units += units(
                            w.putRequest() != null
                                    ? size(w.putRequest().item())
                                    : size(w.deleteRequest().key()));
                }
            }
            return new Write("BatchWriteItem", false, n, units);
        }
        if (request instanceof TransactWriteItemsRequest t) {
            long units = 0;
            for (TransactWriteItem i : t.transactItems()) {
                long bytes;
                if (i.put() != null) {
                    bytes = size(i.put().item());
                } else if (i.update() != null) {
                    bytes = size(i.update().key()) + size(i.update().expressionAttributeValues());
                } else if (i.delete() != null) {
                    bytes = size(i.delete().key());
                } else {
                    bytes = size(i.conditionCheck().key());
                }
                units += 2 * units(bytes);
            }
            return new Write("TransactWriteItems", true, t.transactItems().size(), units);
        }
        return null;
    }

    private static long units(long bytes) {
        return Math.max(1, (bytes + 1023) / 1024);
    }

    private static long size(Map<String, AttributeValue> attributes) {
        long n = 0;
        for (Map.Entry<String, AttributeValue> e : attributes.entrySet()) {
            n += utf8(e.getKey().startsWith(":") ? e.getKey().substring(1) : e.getKey()) + size(e.getValue());
        }
        return n;
    }

    private static long size(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return (v.n().length() + 1) / 2 + 1;
        }
        if (v.b() != null) {
            return v.b().asByteArrayUnsafe().length;
        }
        if (v.hasM()) {
            return 3 + size(v.m());
        }
        if (v.hasL()) {
            long n = 3;
            for (AttributeValue e : v.l()) {
                n += 1 + size(e);
            }
            return n;
        }
        return 1;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
