package org.dmarcreporter.aws.dynamodb;

import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.dmarcreporter.core.report.dispatch.FailureLedger;
import org.dmarcreporter.core.store.StoreUnavailableException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The failure-report sender's {@link FailureLedger} in ReportsTable (item layout:
 * {@code docs/dynamodb-data-model.md}, "Failure-report sending"). ReportsTable has no stream, so
 * nothing written here triggers a function; the candidates table is never written.
 *
 * <p>Every method is one conditional write whose condition is exactly the state it was chosen for:
 * <ul>
 *   <li>send marker: {@code PutItem} with {@code attribute_not_exists(pk) OR expiresAt <= :now};</li>
 *   <li>rate token: {@code UpdateItem ADD tokens :one} with {@code tokens < :limit};</li>
 *   <li>merge slot: a consistent read (without the representative) tells which case of the port
 *       applies (closed, open and empty, holding), and one {@code UpdateItem} does that case with the
 *       case as its condition. Joins to a holding slot are {@code ADD heldCount :one}, so a flood of
 *       like incidents never makes concurrent joins retry; only a change of case (opened, taken)
 *       sends the losers round again, with the item the failed condition returned;</li>
 *   <li>taking a slot: one {@code UpdateItem} with "holds something, not expired" as condition,
 *       answering the old item.</li>
 * </ul>
 * Every write carries a fresh random token ({@code token} of a marker, {@code op} of a slot or a
 * bucket) and a slot or bucket write is conditioned on the item not carrying it yet. When the SDK
 * re-sends a write that DynamoDB had applied (its answer was lost), the re-sent one fails its
 * condition, and the item returned with the failure ({@code ReturnValuesOnConditionCheckFailure
 * ALL_OLD}) shows our own token: the call then answers as the applied write did, so no marker is
 * refused to its own writer, no token is counted twice and no incident is added or taken twice. A
 * take keeps the representative on the item and copies what it took to {@code takenCount} and
 * {@code takenSince} for this case.
 *
 * <p>{@link #dueSlots} is not offered: in AWS each held slot's flush is an SQS message, which is
 * durable, so nothing needs to be found after a restart.
 */
public final class DynamoDbFailureLedger implements FailureLedger {

    static final String SEND_PREFIX = "FSEND#";
    static final String SLOT_PREFIX = "FSLOT#";
    static final String RATE_PREFIX = "FRATE#";
    static final String SLOT_SK = "SLOT";

    static final String TOKEN = "token";
    static final String CLAIMED_AT = "claimedAt";
    static final String OP = "op";
    static final String TOKENS = "tokens";
    static final String HELD_COUNT = "heldCount";
    static final String REPRESENTATIVE = "representative";
    static final String HELD_SINCE = "heldSince";
    static final String DUE_AT = "dueAt";
    static final String TAKEN_COUNT = "takenCount";
    static final String TAKEN_SINCE = "takenSince";
    static final String EXPIRES_AT = ItemAttributes.EXPIRES_AT;

    /**
     * Compare-and-set rounds before a slot operation gives up (as {@link StoreUnavailableException},
     * which the caller retries). Each lost round means another write to the same slot succeeded.
     */
    static final int MAX_ROUNDS = 25;

    private final DynamoDbClient db;
    private final String table;

    /**
     * @param db    a client from {@link org.dmarcreporter.aws.AwsClients#dynamoDb()}
     * @param table the ReportsTable's name
     */
    public DynamoDbFailureLedger(DynamoDbClient db, String table) {
        this.db = Objects.requireNonNull(db, "db");
        this.table = Objects.requireNonNull(table, "table");
    }

    // --- send markers ---

    @Override
    public boolean claimSend(String reportKey, String recipient, long now, long expiresAt) {
        Map<String, AttributeValue> key = markerKey(reportKey, recipient);
        String token = newToken();
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put(TOKEN, s(token));
        item.put(CLAIMED_AT, n(now));
        item.put(EXPIRES_AT, n(expiresAt));
        PutItemRequest put = PutItemRequest.builder()
                .tableName(table)
                .item(item)
                .conditionExpression("attribute_not_exists(#pk) OR #exp <= :now")
                .expressionAttributeNames(Map.of("#pk", PK, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":now", n(now)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            DynamoErrors.call("PutItem (send marker)", () -> db.putItem(put));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Someone holds the marker, or it is ours: a re-sent put after the first was applied.
            return token.equals(text(failedItem(e, key), TOKEN));
        }
    }

    @Override
    public void releaseSend(String reportKey, String recipient) {
        Map<String, AttributeValue> key = markerKey(reportKey, recipient);
        DynamoErrors.call(
                "DeleteItem (send marker)",
                () -> db.deleteItem(
                        DeleteItemRequest.builder().tableName(table).key(key).build()));
    }

    // --- rate limits ---

    @Override
    public boolean takeToken(String bucketKey, long bucketStart, long limit, long expiresAt) {
        FailureLedger.checkKey(bucketKey);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        Map<String, AttributeValue> key = Map.of(PK, s(RATE_PREFIX + bucketKey), SK, s(Long.toString(bucketStart)));
        String op = newToken();
        UpdateItemRequest update = UpdateItemRequest.builder()
                .tableName(table)
                .key(key)
                .updateExpression("ADD #tokens :one SET #op = :op, #exp = :exp")
                .conditionExpression("(attribute_not_exists(#tokens) OR #tokens < :limit)"
                        + " AND (attribute_not_exists(#op) OR #op <> :op)")
                .expressionAttributeNames(Map.of("#tokens", TOKENS, "#op", OP, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":one", n(1), ":op", s(op), ":exp", n(expiresAt), ":limit", n(limit)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            DynamoErrors.call("UpdateItem (rate token)", () -> db.updateItem(update));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return op.equals(text(failedItem(e, key), OP));
        }
    }

    // --- merge slots ---

    /** What a slot item holds ({@code representative} only when the item came back in full). */
    record Slot(long heldCount, String representative, long heldSince, long dueAt, String op) {

        static Slot of(Map<String, AttributeValue> item) {
            if (item == null || item.isEmpty() || !item.containsKey(OP)) {
                return null;
            }
            return new Slot(
                    number(item, HELD_COUNT),
                    text(item, REPRESENTATIVE),
                    number(item, HELD_SINCE),
                    number(item, DUE_AT),
                    text(item, OP));
        }

        /** Absent, expired, or no longer open and holding nothing: the port's "closed". */
        static boolean closed(Slot s, long now) {
            return s == null || expired(s, now) || (s.heldCount == 0 && s.dueAt <= now);
        }

        static boolean expired(Slot s, long now) {
            return s.heldCount > 0 && s.dueAt + SLOT_RETENTION_SECONDS <= now;
        }
    }

    /**
     * One conditional UpdateItem of a slot: its condition is exactly the state the write was
     * chosen for, so a write that succeeds did what the port says for the state it found.
     *
     * @param answer        the answer when the write succeeds, from the attributes it returned
     * @param appliedAnswer the answer when the write failed its condition because the SDK re-sent
     *                      it after it was applied: from the item as it is now (our write last)
     */
    private record SlotWrite<T>(
            String update,
            String condition,
            Map<String, AttributeValue> values,
            ReturnValue returnValues,
            Function<Map<String, AttributeValue>, T> answer,
            Function<Map<String, AttributeValue>, T> appliedAnswer) {}

    @Override
    public Join joinSlot(String slotKey, String representative, long now, long openUntil) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (openUntil <= now) {
            throw new IllegalArgumentException("openUntil must be after now");
        }
        return writeSlot(slotKey, (s, op) -> {
            if (Slot.closed(s, now)) {
                Join opened = new Join.Opened(openUntil);
                return new SlotWrite<>(
                        "SET #held = :zero, #due = :open, #op = :op, #exp = :exp"
                                + " REMOVE #since, #rep, #taken, #takenSince",
                        CLOSED,
                        values(now, op, ":open", n(openUntil), ":exp", n(openUntil + SLOT_RETENTION_SECONDS)),
                        ReturnValue.NONE,
                        r -> opened,
                        r -> opened);
            }
            long due = s.dueAt();
            if (s.heldCount() == 0) {
                Join joined = new Join.Joined(1, due);
                return new SlotWrite<>(
                        "SET #held = :one, #rep = :rep, #since = :now, #op = :op",
                        "#held = :zero AND #due = :due AND #due > :now",
                        values(now, op, ":one", n(1), ":rep", s(representative), ":due", n(due)),
                        ReturnValue.NONE,
                        r -> joined,
                        r -> joined);
            }
            // The flood case: many incidents join one held slot. ADD needs no read of the count,
            // so concurrent joins never make each other retry.
            return new SlotWrite<>(
                    "ADD #held :one SET #op = :op",
                    "#held > :zero AND #due = :due AND #due > :cutoff AND #op <> :op",
                    values(now, op, ":one", n(1), ":due", n(due)),
                    ReturnValue.UPDATED_NEW,
                    r -> new Join.Joined(number(r, HELD_COUNT), due),
                    r -> new Join.Joined(number(r, HELD_COUNT), due));
        });
    }

    @Override
    public long hold(String slotKey, String representative, long count, long heldSince, long now, long dueAt) {
        FailureLedger.checkKey(slotKey);
        FailureLedger.checkRepresentative(representative);
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        return writeSlot(slotKey, (s, op) -> {
            if (Slot.closed(s, now)) {
                return new SlotWrite<>(
                        "SET #held = :count, #rep = :rep, #since = :hs, #due = :newDue, #op = :op, #exp = :exp"
                                + " REMOVE #taken, #takenSince",
                        CLOSED,
                        values(
                                now,
                                op,
                                ":count",
                                n(count),
                                ":rep",
                                s(representative),
                                ":hs",
                                n(heldSince),
                                ":newDue",
                                n(dueAt),
                                ":exp",
                                n(dueAt + SLOT_RETENTION_SECONDS)),
                        ReturnValue.NONE,
                        r -> count,
                        r -> count);
            }
            long due = Math.max(s.dueAt(), dueAt);
            if (s.heldCount() == 0) {
                return new SlotWrite<>(
                        "SET #held = :count, #rep = :rep, #since = :hs, #due = :newDue, #op = :op, #exp = :exp",
                        "#held = :zero AND #due = :due AND #due > :now",
                        values(
                                now,
                                op,
                                ":count",
                                n(count),
                                ":rep",
                                s(representative),
                                ":hs",
                                n(heldSince),
                                ":newDue",
                                n(due),
                                ":due",
                                n(s.dueAt()),
                                ":exp",
                                n(due + SLOT_RETENTION_SECONDS)),
                        ReturnValue.NONE,
                        r -> count,
                        r -> count);
            }
            // heldSince and dueAt are compared with what was read (joins never change them), the
            // count is added on the server (joins change it all the time).
            return new SlotWrite<>(
                    "ADD #held :count SET #since = :hs, #due = :newDue, #op = :op, #exp = :exp",
                    "#held > :zero AND #due = :due AND #since = :seenSince AND #due > :cutoff AND #op <> :op",
                    values(
                            now,
                            op,
                            ":count",
                            n(count),
                            ":hs",
                            n(Math.min(s.heldSince(), heldSince)),
                            ":newDue",
                            n(due),
                            ":due",
                            n(s.dueAt()),
                            ":seenSince",
                            n(s.heldSince()),
                            ":exp",
                            n(due + SLOT_RETENTION_SECONDS)),
                    ReturnValue.UPDATED_NEW,
                    r -> number(r, HELD_COUNT),
                    r -> number(r, HELD_COUNT));
        });
    }

    @Override
    public Optional<TakenSlot> takeSlot(String slotKey, long now, long reopenUntil) {
        FailureLedger.checkKey(slotKey);
        if (reopenUntil <= now) {
            throw new IllegalArgumentException("reopenUntil must be after now");
        }
        // No read first: the condition is the whole precondition ("holds something, not
        // expired"), so a failed one means there is nothing to take. The representative stays on
        // the item and what was taken is copied to takenCount/takenSince, so that a take whose
        // answer was lost (the SDK re-sent it) still answers what it took.
        Map<String, AttributeValue> key = slotKey(slotKey);
        String op = newToken();
        UpdateItemRequest update = UpdateItemRequest.builder()
                .tableName(table)
                .key(key)
                .updateExpression(TAKE)
                .conditionExpression(TAKE_CONDITION)
                .expressionAttributeNames(used(SLOT_NAMES, TAKE, TAKE_CONDITION))
                .expressionAttributeValues(used(
                        values(now, op, ":reopen", n(reopenUntil), ":exp", n(reopenUntil + SLOT_RETENTION_SECONDS)),
                        TAKE,
                        TAKE_CONDITION))
                .returnValues(ReturnValue.ALL_OLD)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            Map<String, AttributeValue> old = DynamoErrors.call("UpdateItem (take slot)", () -> db.updateItem(update))
                    .attributes();
            return Optional.of(new TakenSlot(
                    number(old, HELD_COUNT), nonNull(text(old, REPRESENTATIVE)), number(old, HELD_SINCE)));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = failedItem(e, key);
            if (op.equals(text(item, OP))) {
                return Optional.of(new TakenSlot(
                        number(item, TAKEN_COUNT), nonNull(text(item, REPRESENTATIVE)), number(item, TAKEN_SINCE)));
            }
            return Optional.empty();
        }
    }

    @Override
    public List<DueSlot> dueSlots(long now, int limit) {
        throw new UnsupportedOperationException(
                "the AWS ledger does not list due slots: each flush is an SQS message (docs/failure-reports.md)");
    }

    private static final String TAKE = "SET #held = :zero, #due = :reopen, #op = :op, #exp = :exp,"
            + " #taken = #held, #takenSince = #since REMOVE #since";
    private static final String TAKE_CONDITION = "#held > :zero AND #due > :cutoff AND #op <> :op";

    /** Condition of the writes that open a closed slot (absent, expired, or empty past its dueAt). */
    private static final String CLOSED = "(attribute_not_exists(#op) OR (#held = :zero AND #due <= :now)"
            + " OR (#held > :zero AND #due <= :cutoff)) AND (attribute_not_exists(#op) OR #op <> :op)";

    @FunctionalInterface
    private interface Branch<T> {
        /** The write for the slot as read ({@code null}: absent), carrying the fresh token {@code op}. */
        SlotWrite<T> choose(Slot current, String op);
    }

    /**
     * Reads the slot (consistently, without its representative), lets {@code branch} choose the
     * write for that state, and sends it. A failed condition means the slot changed in between
     * (the item returned with the failure is the new state to choose from), unless the item
     * carries our own token: the SDK re-sent a write that had been applied.
     */
    private <T> T writeSlot(String slotKey, Branch<T> branch) {
        Map<String, AttributeValue> key = slotKey(slotKey);
        Slot current = readSlot(key);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String op = newToken();
            SlotWrite<T> write = branch.choose(current, op);
            UpdateItemRequest update = UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key)
                    .updateExpression(write.update())
                    .conditionExpression(write.condition())
                    .expressionAttributeNames(used(SLOT_NAMES, write.update(), write.condition()))
                    .expressionAttributeValues(used(write.values(), write.update(), write.condition()))
                    .returnValues(write.returnValues())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build();
            try {
                Map<String, AttributeValue> returned = DynamoErrors.call(
                                "UpdateItem (merge slot)", () -> db.updateItem(update))
                        .attributes();
                return write.answer().apply(returned == null ? Map.of() : returned);
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> item = failedItem(e, key);
                if (op.equals(text(item, OP))) {
                    return write.appliedAnswer().apply(item);
                }
                current = Slot.of(item);
            }
        }
        throw new StoreUnavailableException(
                "merge slot " + slotKey + " kept changing under " + MAX_ROUNDS + " attempts to update it; retry later");
    }

    private Slot readSlot(Map<String, AttributeValue> key) {
        // A held slot may carry a representative of up to 256 KB: leave it on the server.
        GetItemRequest get = GetItemRequest.builder()
                .tableName(table)
                .key(key)
                .consistentRead(true)
                .projectionExpression("#held, #since, #due, #op")
                .expressionAttributeNames(Map.of("#held", HELD_COUNT, "#since", HELD_SINCE, "#due", DUE_AT, "#op", OP))
                .build();
        return Slot.of(
                DynamoErrors.call("GetItem (merge slot)", () -> db.getItem(get)).item());
    }

    private static Map<String, AttributeValue> slotKey(String slotKey) {
        return Map.of(PK, s(SLOT_PREFIX + slotKey), SK, s(SLOT_SK));
    }

    /** The values every slot write may use ({@code :zero :now :cutoff :op}) plus the given pairs. */
    private static Map<String, AttributeValue> values(long now, String op, Object... pairs) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":zero", n(0));
        values.put(":now", n(now));
        values.put(":cutoff", n(now - SLOT_RETENTION_SECONDS));
        values.put(":op", s(op));
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], (AttributeValue) pairs[i + 1]);
        }
        return values;
    }

    private static final Map<String, String> SLOT_NAMES = Map.of(
            "#held", HELD_COUNT,
            "#rep", REPRESENTATIVE,
            "#since", HELD_SINCE,
            "#due", DUE_AT,
            "#op", OP,
            "#exp", EXPIRES_AT,
            "#taken", TAKEN_COUNT,
            "#takenSince", TAKEN_SINCE);

    /** DynamoDB refuses names and values that the expressions do not use: keep the used ones. */
    private static <V> Map<String, V> used(Map<String, V> placeholders, String update, String condition) {
        Map<String, V> used = new HashMap<>();
        placeholders.forEach((k, v) -> {
            Pattern p = Pattern.compile(Pattern.quote(k) + "\\b");
            if (p.matcher(update).find() || p.matcher(condition).find()) {
                used.put(k, v);
            }
        });
        return used;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
    // --- helpers ---

    private static Map<String, AttributeValue> markerKey(String reportKey, String recipient) {
        FailureLedger.checkKey(reportKey);
        FailureLedger.checkKey(recipient);
        // The report key in the partition, the recipient as sort key: both fit DynamoDB's key
        // limits (2048 and 1024 bytes) at MAX_KEY_BYTES each.
        return Map.of(PK, s(SEND_PREFIX + reportKey), SK, s(recipient));
    }

    /**
     * The item a failed condition returned; when DynamoDB sent none (older emulators), a
     * consistent read of it, absent as an empty map.
     */
    private Map<String, AttributeValue> failedItem(ConditionalCheckFailedException e, Map<String, AttributeValue> key) {
        if (e.hasItem()) {
            return e.item();
        }
        Map<String, AttributeValue> item = DynamoErrors.call(
                        "GetItem (ledger)",
                        () -> db.getItem(GetItemRequest.builder()
                                .tableName(table)
                                .key(key)
                                .consistentRead(true)
                                .build()))
                .item();
        return item == null ? Map.of() : item;
    }

    private static String newToken() {
        return UUID.randomUUID().toString();
    }

    private static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    private static AttributeValue n(long v) {
        return AttributeValue.builder().n(Long.toString(v)).build();
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
