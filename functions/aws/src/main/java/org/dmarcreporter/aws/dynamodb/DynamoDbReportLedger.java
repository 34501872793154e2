package org.dmarcreporter.aws.dynamodb;

import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;
import static org.dmarcreporter.aws.dynamodb.ReportItems.n;
import static org.dmarcreporter.aws.dynamodb.ReportItems.s;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.run.DeliveryState;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.window.ReportingWindow;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The {@link ReportLedger} on the ReportsTable, with the low-level client: the aggregate run's
 * reads and writes, over the items that ingest writes ({@link DynamoDbResultStore}). Items, keys,
 * TTLs and guarantees are in {@code docs/dynamodb-data-model.md} ("Aggregate run").
 *
 * <p>Every read is a Query on one partition or a GetItem, never a Scan, and is consistent: a
 * window is read only after it settled ({@code docs/reporting-windows.md}), and a consistent read
 * is what makes "every write that landed before" a guarantee rather than a likelihood. Nothing is
 * cached: the run must see the cut it just wrote.
 */
public final class DynamoDbReportLedger implements ReportLedger {

    private static final Base64.Encoder TOKEN_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    /** Cuts and deliveries are read whole, a Query page at a time (DynamoDB's own 1 MB pages). */
    private static final int SMALL_READ_PAGE = 1_000;

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;

    /**
     * @param db     a client from {@link org.dmarcreporter.aws.AwsClients#dynamoDb()}
     * @param table  the ReportsTable, the one {@link DynamoDbResultStore} writes
     * @param clock  "now" for the cut history's lower bound
     */
    public DynamoDbReportLedger(DynamoDbClient db, String table, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // The window index

    /**
     * Queries the 16 {@code WINDOW#<shard>} partitions in turn (one domain: only its shard, with
     * {@code begins_with(sk, "<domain>#")}). The token is the shard and the last key read in it.
     */
    @Override
    public WindowPage unreportedWindows(String policyDomain, String pageToken, int pageSize) {
        requirePageSize(pageSize);
        IndexToken at = pageToken == null
                ? new IndexToken(policyDomain == null ? 0 : ItemKeys.windowShard(policyDomain), null)
                : IndexToken.parse(pageToken);
        int lastShard = ItemKeys.WINDOW_SHARDS - 1;
        if (policyDomain != null) {
            int own = ItemKeys.windowShard(policyDomain);
            if (at.shard() != own) {
                throw new IllegalArgumentException("page token is not of " + policyDomain + "'s index");
            }
            lastShard = own;
        }
        List<IndexedWindow> out = new ArrayList<>(Math.min(pageSize, 64));
        int shard = at.shard();
        String startSk = at.lastSk();
        while (true) {
            String pk = ItemKeys.windowShardPk(shard);
            QueryRequest.Builder q = query(pageSize - out.size());
            if (policyDomain == null) {
                wholePartition(q, pk);
            } else {
                q.keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                        .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                        .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(policyDomain + "#")));
            }
            if (startSk != null) {
                q.exclusiveStartKey(Map.of(PK, s(pk), SK, s(startSk)));
            }
            QueryRequest request = q.build();
            QueryResponse page = DynamoErrors.call("Query (window index)", () -> db.query(request));
            for (Map<String, AttributeValue> item : page.items()) {
                out.add(indexed(item));
            }
            startSk = lastSk(page);
            if (startSk == null) {
                if (shard == lastShard) {
                    return new WindowPage(out, null);
                }
                shard++;
            }
            if (out.size() == pageSize) {
                return new WindowPage(out, new IndexToken(shard, startSk).encode());
            }
        }
    }

    private static IndexedWindow indexed(Map<String, AttributeValue> item) {
        AttributeValue record = item.get(ItemAttributes.POLICY_RECORD);
        return new IndexedWindow(
                new ReportingWindow(
                        item.get(ItemAttributes.DOMAIN).s(),
                        Long.parseLong(item.get(ItemAttributes.WINDOW_START).n())),
                record == null ? null : record.s());
    }

    // Counters

    /** One Query page of {@code ROW#<domain>#<start>}; the token is the last row's sort key. */
    @Override
    public RowPage rows(ReportingWindow window, String pageToken, int pageSize) {
        requirePageSize(pageSize);
        String pk = ItemKeys.rowPk(window);
        QueryRequest.Builder q = wholePartition(query(pageSize), pk);
        if (pageToken != null) {
            q.exclusiveStartKey(Map.of(PK, s(pk), SK, s(rowToken(pageToken))));
        }
        QueryRequest request = q.build();
        QueryResponse page = DynamoErrors.call("Query (counter rows)", () -> db.query(request));
        List<CountedRow> rows = new ArrayList<>(page.items().size());
        for (Map<String, AttributeValue> item : page.items()) {
            rows.add(new CountedRow(
                    StoredJson.row(item.get(ItemAttributes.ROW).s()),
                    Long.parseLong(item.get(ItemAttributes.COUNT).n())));
        }
        return new RowPage(rows, lastSk(page));
    }

    // Send-now cuts

    /**
     * Two consistent Queries, {@code CUT#<domain>} and {@code CUT#*}, each from
     * {@code AT#<now - REPORT_DATA>} up to and including the {@code CUT} item (which sorts after
     * every {@code AT#} item): the history and the latest cut that ingest reads, so that a latest
     * cut written without history (before the history existed) still ends its window.
     */
    @Override
    public List<Long> cuts(String policyDomain) {
        long from = Math.max(0, clock.instant().getEpochSecond() - Retention.REPORT_DATA.toSeconds());
        TreeSet<Long> out = new TreeSet<>();
        if (policyDomain != null) {
            readCuts(ItemKeys.cutPk(policyDomain), from, out);
        }
        readCuts(ItemKeys.ALL_DOMAINS_CUT_PK, from, out);
        return List.copyOf(out);
    }

    private void readCuts(String pk, long from, TreeSet<Long> out) {
        queryAll(
                "Query (send-now cuts)",
                q -> q.keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :latest")
                        .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                        .expressionAttributeValues(Map.of(
                                ":pk", s(pk), ":from", s(ItemKeys.cutHistorySk(from)), ":latest", s(ItemKeys.CUT_SK))),
                item -> {
                    AttributeValue at = item.get(ItemAttributes.CUT_AT);
                    if (at != null && at.n() != null && Long.parseLong(at.n()) >= from) {
                        out.add(Long.parseLong(at.n()));
                    }
                });
    }

    /**
     * One TransactWriteItems: the history item {@code AT#<at>} and the latest cut {@code CUT}
     * (moved only forward), so that ingest never sees a cut the history lacks, nor the reverse
     * (either would let two windows overlap or a window end where ingest did not cut it). A cut
     * earlier than the latest one (another send-now with a clock behind) only joins the history.
     */
    @Override
    public void writeCut(String policyDomain, long at) {
        String pk = policyDomain == null ? ItemKeys.ALL_DOMAINS_CUT_PK : ItemKeys.cutPk(policyDomain);
        long expiresAt = at + Retention.REPORT_DATA.toSeconds();
        TransactWriteItem history = TransactWriteItem.builder()
                .put(p -> p.tableName(table)
                        .item(Map.of(
                                PK,
                                s(pk),
                                SK,
                                s(ItemKeys.cutHistorySk(at)),
                                ItemAttributes.CUT_AT,
                                n(at),
                                ItemAttributes.EXPIRES_AT,
                                n(expiresAt))))
                .build();
        TransactWriteItem latest = TransactWriteItem.builder()
                .update(u -> u.tableName(table)
                        .key(Map.of(PK, s(pk), SK, s(ItemKeys.CUT_SK)))
                        .updateExpression("SET #cutAt = :at, #expiresAt = :expiresAt")
                        .conditionExpression("attribute_not_exists(#cutAt) OR #cutAt <= :at")
                        .expressionAttributeNames(
                                Map.of("#cutAt", ItemAttributes.CUT_AT, "#expiresAt", ItemAttributes.EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":at", n(at), ":expiresAt", n(expiresAt))))
                .build();
        try {
            DynamoErrors.call(
                    "TransactWriteItems (send-now cut)",
                    () -> db.transactWriteItems(t -> t.transactItems(history, latest)));
        } catch (TransactionCanceledException e) {
            if (!failedCondition(e, 1)) {
                throw DynamoErrors.unavailable("TransactWriteItems (send-now cut)", e);
            }
            DynamoErrors.call(
                    "PutItem (send-now cut history)",
                    () -> db.putItem(p -> p.tableName(table).item(history.put().item())));
        }
    }

    // Delivery state

    @Override
    public Map<String, DeliveryState> deliveries(ReportingWindow window) {
        String pk = ItemKeys.deliveryPk(window);
        Map<String, DeliveryState> out = new HashMap<>();
        queryAll(
                "Query (deliveries)",
                q -> wholePartition(q, pk),
                item -> out.put(item.get(SK).s(), state(item)));
        return out;
    }

    /**
     * One PutItem per (window, recipient), kept as long as the window's counters, conditioned on
     * the item being absent or {@code failed}: a final state is never overwritten (a re-sent
     * applied put fails its condition too, and is done).
     */
    @Override
    public void recordDelivery(ReportingWindow window, String recipient, DeliveryState state) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(ItemKeys.deliveryPk(window)));
        item.put(SK, s(recipient));
        item.put(ItemAttributes.ATTEMPTS, n(state.attempts()));
        item.put(ItemAttributes.EXPIRES_AT, n(expiresAt(window)));
        if (state instanceof DeliveryState.Sent sent) {
            item.put(ItemAttributes.STATE, s(ItemAttributes.STATE_SENT));
            item.put(ItemAttributes.SENT_AT, n(sent.at()));
        } else if (state instanceof DeliveryState.Failed failed) {
            item.put(ItemAttributes.STATE, s(ItemAttributes.STATE_FAILED));
            putReason(item, failed.reason());
            item.put(ItemAttributes.NEXT_RETRY, n(failed.nextRetry()));
        } else if (state instanceof DeliveryState.GivenUp givenUp) {
            item.put(ItemAttributes.STATE, s(ItemAttributes.STATE_GIVEN_UP));
            putReason(item, givenUp.reason());
        }
        try {
            DynamoErrors.call(
                    "PutItem (delivery)",
                    () -> db.putItem(p -> p.tableName(table)
                            .item(item)
                            .conditionExpression("attribute_not_exists(#pk) OR #state = :failed")
                            .expressionAttributeNames(Map.of("#pk", PK, "#state", ItemAttributes.STATE))
                            .expressionAttributeValues(Map.of(":failed", s(ItemAttributes.STATE_FAILED)))));
        } catch (ConditionalCheckFailedException e) {
            // final already: kept as it is
        }
    }

    // Report lease

    /**
     * One conditional PutItem of {@code LEASE#<domain>#<start>}: absent, ours (a renewal, or the
     * SDK re-sending an applied put) or run out. Its TTL is only for tidying up: the condition reads
     * {@code leaseUntil}, so a lease that TTL has not removed yet (or never does, as in moto) still
     * runs out on time.
     */
    @Override
    public boolean takeLease(ReportingWindow window, String holder, long now, long until) {
        Map<String, AttributeValue> item = Map.of(
                PK,
                s(ItemKeys.leasePk(window)),
                SK,
                s(ItemKeys.LEASE_SK),
                ItemAttributes.OWNER,
                s(holder),
                ItemAttributes.LEASE_UNTIL,
                n(until),
                ItemAttributes.EXPIRES_AT,
                n(until + 86_400));
        try {
            DynamoErrors.call(
                    "PutItem (report lease)",
                    () -> db.putItem(p -> p.tableName(table)
                            .item(item)
                            .conditionExpression("attribute_not_exists(#pk) OR #owner = :me OR #until < :now")
                            .expressionAttributeNames(Map.of(
                                    "#pk", PK, "#owner", ItemAttributes.OWNER, "#until", ItemAttributes.LEASE_UNTIL))
                            .expressionAttributeValues(Map.of(":me", s(holder), ":now", n(now)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** A DeleteItem conditioned on the owner. */
    @Override
    public void releaseLease(ReportingWindow window, String holder) {
        try {
            DynamoErrors.call(
                    "DeleteItem (report lease)",
                    () -> db.deleteItem(d -> d.tableName(table)
                            .key(Map.of(PK, s(ItemKeys.leasePk(window)), SK, s(ItemKeys.LEASE_SK)))
                            .conditionExpression("#owner = :me")
                            .expressionAttributeNames(Map.of("#owner", ItemAttributes.OWNER))
                            .expressionAttributeValues(Map.of(":me", s(holder)))));
        } catch (ConditionalCheckFailedException e) {
            // another holder's lease, or none: left alone
        }
    }

    /** DynamoDB refuses a null string; an absent reason reads back as null. */
    private static void putReason(Map<String, AttributeValue> item, String reason) {
        if (reason != null) {
            item.put(ItemAttributes.REASON, s(reason));
        }
    }

    private static DeliveryState state(Map<String, AttributeValue> item) {
        String state = item.get(ItemAttributes.STATE).s();
        int attempts = Integer.parseInt(item.get(ItemAttributes.ATTEMPTS).n());
        AttributeValue reason = item.get(ItemAttributes.REASON);
        String why = reason == null ? null : reason.s();
        return switch (state) {
            case ItemAttributes.STATE_SENT ->
                new DeliveryState.Sent(
                        Long.parseLong(item.get(ItemAttributes.SENT_AT).n()), attempts);
            case ItemAttributes.STATE_FAILED ->
                new DeliveryState.Failed(
                        why,
                        attempts,
                        Long.parseLong(item.get(ItemAttributes.NEXT_RETRY).n()));
            case ItemAttributes.STATE_GIVEN_UP -> new DeliveryState.GivenUp(why, attempts);
            default -> throw new IllegalStateException("unknown delivery state '" + state + "' in " + item.get(PK));
        };
    }

    // Reported marker

    /**
     * One TransactWriteItems: put {@code REPORTED#<domain>#<start>} if absent and delete the
     * window's index entry. The SDK gives every TransactWriteItems a ClientRequestToken, so
     * DynamoDB answers a re-sent applied request (within 10 minutes) with success instead of
     * failing its condition.
     */
    @Override
    public boolean markReported(ReportingWindow window, ReportedWindow marker) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(ItemKeys.reportedPk(window)));
        item.put(SK, s(ItemKeys.REPORTED_SK));
        item.put(ItemAttributes.BEGIN, n(marker.begin()));
        item.put(ItemAttributes.END, n(marker.end()));
        item.put(ItemAttributes.REPORTED_AT, n(marker.reportedAt()));
        item.put(ItemAttributes.EXPIRES_AT, n(expiresAt(window)));
        if (marker.reportId() != null) {
            item.put(ItemAttributes.REPORT_ID, s(marker.reportId()));
        }
        if (marker.outcome() != null) {
            item.put(ItemAttributes.OUTCOME, s(marker.outcome()));
        }
        TransactWriteItem put = TransactWriteItem.builder()
                .put(p -> p.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", PK)))
                .build();
        TransactWriteItem delete = TransactWriteItem.builder()
                .delete(d -> d.tableName(table)
                        .key(Map.of(PK, s(ItemKeys.windowPk(window.policyDomain())), SK, s(ItemKeys.windowSk(window)))))
                .build();
        try {
            DynamoErrors.call(
                    "TransactWriteItems (mark reported)",
                    () -> db.transactWriteItems(t -> t.transactItems(put, delete)));
            return true;
        } catch (TransactionCanceledException e) {
            if (failedCondition(e, 0)) {
                return false;
            }
            throw DynamoErrors.unavailable("TransactWriteItems (mark reported)", e);
        }
    }

    @Override
    public Optional<ReportedWindow> reported(ReportingWindow window) {
        GetItemResponse response = DynamoErrors.call(
                "GetItem (reported marker)",
                () -> db.getItem(g -> g.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(PK, s(ItemKeys.reportedPk(window)), SK, s(ItemKeys.REPORTED_SK)))));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        AttributeValue id = item.get(ItemAttributes.REPORT_ID);
        AttributeValue outcome = item.get(ItemAttributes.OUTCOME);
        return Optional.of(new ReportedWindow(
                id == null ? null : id.s(),
                Long.parseLong(item.get(ItemAttributes.BEGIN).n()),
                Long.parseLong(item.get(ItemAttributes.END).n()),
                Long.parseLong(item.get(ItemAttributes.REPORTED_AT).n()),
                outcome == null ? null : outcome.s()));
    }

    // Helpers

    /** A consistent Query of the table, at most {@code limit} items a page. */
    private QueryRequest.Builder query(int limit) {
        return QueryRequest.builder().tableName(table).consistentRead(true).limit(limit);
    }

    private static QueryRequest.Builder wholePartition(QueryRequest.Builder q, String pk) {
        return q.keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", PK))
                .expressionAttributeValues(Map.of(":pk", s(pk)));
    }

    /** Every item a Query finds, {@link #SMALL_READ_PAGE} items a page, in key order. */
    private void queryAll(
            String what, Consumer<QueryRequest.Builder> condition, Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder q = query(SMALL_READ_PAGE);
            condition.accept(q);
            if (start != null) {
                q.exclusiveStartKey(start);
            }
            QueryRequest request = q.build();
            QueryResponse page = DynamoErrors.call(what, () -> db.query(request));
            page.items().forEach(each);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /** Delivery state and the marker live as long as the window's counters ({@link Retention#REPORT_DATA}). */
    static long expiresAt(ReportingWindow window) {
        return window.start() + Retention.REPORT_DATA.toSeconds();
    }

    private static void requirePageSize(int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1 to " + MAX_PAGE + ", not " + pageSize);
        }
    }

    private static String lastSk(QueryResponse page) {
        if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()) {
            return null;
        }
        return page.lastEvaluatedKey().get(SK).s();
    }

    /** Row sort keys are unpadded base64url SHA-256 digests: anything else is not our token. */
    private static String rowToken(String token) {
        if (!token.matches("[A-Za-z0-9_-]{43}")) {
            throw new IllegalArgumentException("not a row page token: " + token);
        }
        return token;
    }

    private static boolean failedCondition(TransactionCanceledException e, int index) {
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        return reasons.size() > index
                && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    /** Shard and last index sort key read there (null: the shard from its start), base64url. */
    record IndexToken(int shard, String lastSk) {

        String encode() {
            String text = String.format("%02x", shard) + (lastSk == null ? "" : "|" + lastSk);
            return TOKEN_ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static IndexToken parse(String token) {
            String text;
            try {
                text = new String(TOKEN_DECODER.decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a window page token: " + token, e);
            }
            if (text.length() < 2 || text.length() > 2 && text.charAt(2) != '|') {
                throw new IllegalArgumentException("not a window page token: " + token);
            }
            int shard;
            try {
                shard = Integer.parseInt(text.substring(0, 2), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a window page token: " + token, e);
            }
            if (shard >= ItemKeys.WINDOW_SHARDS) {
                throw new IllegalArgumentException("not a window page token: " + token);
            }
            return new IndexToken(shard, text.length() > 3 ? text.substring(3) : null);
        }
    }
}
