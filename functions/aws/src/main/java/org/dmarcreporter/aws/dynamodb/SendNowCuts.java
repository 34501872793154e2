package org.dmarcreporter.aws.dynamodb;

import static org.dmarcreporter.aws.dynamodb.ItemAttributes.CUT_AT;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;
import static org.dmarcreporter.aws.dynamodb.ReportItems.s;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.window.WindowTiming;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Reads the send-now cuts ({@code CUT#<domain>} and {@code CUT#*}) and keeps each for at most
 * {@link WindowTiming#CUT_CACHE} per container, so that a busy domain costs one read per 10 s.
 */
final class SendNowCuts {

    /** A container seeing more domains than this starts its cache afresh instead of growing. */
    private static final int MAX_CACHED = 10_000;

    private static final int MAX_ROUNDS = 5;

    private record Cached(long cutAt, long readAtMillis) {}

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    SendNowCuts(DynamoDbClient db, String table, Clock clock) {
        this.db = db;
        this.table = table;
        this.clock = clock;
    }

    long latestCut(String policyDomain) {
        long nowMillis = clock.millis();
        String domainPk = ItemKeys.cutPk(policyDomain);
        Cached domain = fresh(domainPk, nowMillis);
        Cached all = fresh(ItemKeys.ALL_DOMAINS_CUT_PK, nowMillis);
        if (domain == null || all == null) {
            List<String> missing = new ArrayList<>(2);
            if (domain == null) {
                missing.add(domainPk);
            }
            if (all == null) {
                missing.add(ItemKeys.ALL_DOMAINS_CUT_PK);
            }
            Map<String, Long> read = read(missing);
            if (cache.size() > MAX_CACHED) {
                cache.clear();
            }
            for (String pk : missing) {
                cache.put(pk, new Cached(read.getOrDefault(pk, 0L), nowMillis));
            }
            domain = cache.get(domainPk);
            all = cache.get(ItemKeys.ALL_DOMAINS_CUT_PK);
        }
        return Math.max(domain == null ? 0 : domain.cutAt(), all == null ? 0 : all.cutAt());
    }

    private Cached fresh(String pk, long nowMillis) {
        Cached c = cache.get(pk);
        return c != null
                        && nowMillis - c.readAtMillis() < WindowTiming.CUT_CACHE.toMillis()
                        && nowMillis >= c.readAtMillis()
                ? c
                : null;
    }

    /** Consistent reads: a cut must be seen by every request that starts after the cache time. */
    private Map<String, Long> read(List<String> pks) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String pk : pks) {
            keys.add(Map.of(PK, s(pk), SK, s(ItemKeys.CUT_SK)));
        }
        Map<String, KeysAndAttributes> request = Map.of(
                table,
                KeysAndAttributes.builder()
                        .keys(keys)
                        .consistentRead(true)
                        .projectionExpression("#pk, #cutAt")
                        .expressionAttributeNames(Map.of("#pk", PK, "#cutAt", CUT_AT))
                        .build());
        Map<String, Long> out = new HashMap<>();
        for (int round = 0; round < MAX_ROUNDS && !request.isEmpty(); round++) {
            Map<String, KeysAndAttributes> ask = request;
            BatchGetItemResponse response =
                    DynamoErrors.call("BatchGetItem (cuts)", () -> db.batchGetItem(b -> b.requestItems(ask)));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                AttributeValue cutAt = item.get(CUT_AT);
                if (cutAt != null && cutAt.n() != null) {
                    out.put(item.get(PK).s(), Long.parseLong(cutAt.n()));
                }
            }
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            if (!request.isEmpty()) {
                sleep(20L << round);
            }
        }
        if (!request.isEmpty()) {
            throw new StoreUnavailableException("DynamoDB left the send-now cut unread (throttled)");
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while reading send-now cuts", e);
        }
    }
}
