package org.dmarcreporter.aws.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Counts every request a client sends, DynamoDB and SES alike: by operation name, and for
 * DynamoDB by operation and item kind (the partition key up to its first {@code #}: {@code ROW},
 * {@code WINDOW}, {@code CUT}, ...), plus the items read and an estimate of the read capacity.
 * Add the same instance to the DynamoDB and the SES client to count both.
 *
 * <p>Read units are estimated from the items returned, as DynamoDB bills them: a Query costs
 * ceil(sum of item sizes / 4 KB) units, a GetItem ceil(item size / 4 KB), each at least one;
 * eventually consistent reads half of that. Counted in half units, so the figure is exact.
 */
public final class RequestCounter implements ExecutionInterceptor {

    private final Map<String, Long> byOperation = new TreeMap<>();
    private final Map<String, Long> byKind = new TreeMap<>();
    private final Map<String, Long> itemsByKind = new TreeMap<>();
    private final Map<String, Long> halfUnitsByKind = new TreeMap<>();
    private long itemsRead;
    private long readHalfUnits;

    @Override
    public synchronized void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        byOperation.merge(operation, 1L, Long::sum);
        SdkRequest request = context.request();
        String kind = kind(request);
        if (kind != null) {
            byKind.merge(operation + " " + kind, 1L, Long::sum);
        }
        SdkResponse response = context.response();
        if (response instanceof QueryResponse q && request instanceof QueryRequest r) {
            long bytes = 0;
            for (Map<String, AttributeValue> item : q.items()) {
                bytes += size(item);
            }
            read(kind, q.items().size(), halfUnits(bytes, Boolean.TRUE.equals(r.consistentRead())));
        } else if (response instanceof GetItemResponse g && request instanceof GetItemRequest r) {
            boolean found = g.hasItem() && !g.item().isEmpty();
            read(kind, found ? 1 : 0, halfUnits(found ? size(g.item()) : 0, Boolean.TRUE.equals(r.consistentRead())));
        }
    }

    private void read(String kind, long items, long halfUnits) {
        itemsRead += items;
        readHalfUnits += halfUnits;
        if (kind != null) {
            itemsByKind.merge(kind, items, Long::sum);
            halfUnitsByKind.merge(kind, halfUnits, Long::sum);
        }
    }

    public synchronized void reset() {
        byOperation.clear();
        byKind.clear();
        itemsByKind.clear();
        halfUnitsByKind.clear();
        itemsRead = 0;
        readHalfUnits = 0;
    }

    /** Requests by operation name ({@code Query}, {@code SendEmail}, ...). */
    public synchronized Map<String, Long> byOperation() {
        return new TreeMap<>(byOperation);
    }

    public synchronized long calls(String operation) {
        return byOperation.getOrDefault(operation, 0L);
    }

    /** DynamoDB requests by operation and item kind, e.g. {@code "Query ROW"}. */
    public synchronized Map<String, Long> byKind() {
        return new TreeMap<>(byKind);
    }

    public synchronized long calls(String operation, String kind) {
        return byKind.getOrDefault(operation + " " + kind, 0L);
    }

    /** Items returned by Query and GetItem. */
    public synchronized long itemsRead() {
        return itemsRead;
    }

    /** Estimated read capacity units of the Queries and GetItems (see the class comment). */
    public synchronized double readUnits() {
        return readHalfUnits / 2.0;
    }

    /** Items read from partitions of one kind ({@code ROW}, {@code WINDOW}, ...). */
    public synchronized long itemsRead(String kind) {
        return itemsByKind.getOrDefault(kind, 0L);
    }

    /** Estimated read units spent on partitions of one kind. */
    public synchronized double readUnits(String kind) {
        return halfUnitsByKind.getOrDefault(kind, 0L) / 2.0;
    }

    private static long halfUnits(long bytes, boolean consistent) {
        long units = Math.max(1, (bytes + 4095) / 4096);
        return consistent ? 2 * units : units;
    }

    private static String kind(SdkRequest request) {
        AttributeValue pk = null;
        if (request instanceof QueryRequest q && q.hasExpressionAttributeValues()) {
            pk = q.expressionAttributeValues().get(":pk");
        } else if (request instanceof GetItemRequest g) {
            pk = g.key().get("pk");
        } else if (request instanceof PutItemRequest p) {
            pk = p.item().get("pk");
        } else if (request instanceof UpdateItemRequest u) {
            pk = u.key().get("pk");
        } else if (request instanceof DeleteItemRequest d) {
            pk = d.key().get("pk");
        }
        if (pk == null || pk.s() == null) {
            return null;
        }
        int hash = pk.s().indexOf('#');
        return hash < 0 ? pk.s() : pk.s().substring(0, hash);
    }

    /** DynamoDB's item size: attribute names plus values (numbers about one byte per two digits). */
    static long size(Map<String, AttributeValue> item) {
        long n = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            n += utf8(e.getKey()) + size(e.getValue());
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
        if (v.hasSs()) {
            return v.ss().stream().mapToLong(RequestCounter::utf8).sum();
        }
        if (v.hasNs()) {
            return v.ns().stream().mapToLong(x -> (x.length() + 1) / 2 + 1).sum();
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
