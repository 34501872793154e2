package org.dmarcreporter.aws.dynamodb;

import static org.dmarcreporter.aws.dynamodb.ItemAttributes.COUNTED;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.EXPIRES_AT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.LEASE_UNTIL;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.OWNER;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.REQUEST_DIGEST;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.RESPONSE;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.RESPONSE_PARTS;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS_COMPLETE;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS_IN_PROGRESS;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;
import static org.dmarcreporter.aws.dynamodb.ReportItems.n;
import static org.dmarcreporter.aws.dynamodb.ReportItems.s;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.window.WindowTiming;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The {@code IDEMPOTENCY#<key>} request items (docs/ingest-api.md: a repeat within 24 hours gets the
 * first answer): which attempt owns a key, the request digest it is bound to, the request
 * indexes already counted, and the answer once the request is stored. Layout and guarantee:
 * {@code docs/dynamodb-data-model.md}.
 */
final class IdempotencyLedger {

    /**
     * How long a claim blocks other attempts. An owner stops writing at the ingest deadline (its
     * last call ends at most one SDK call timeout later), so a live owner is not taken over; one
     * that died blocks its key for this long. Safety does not rest on it: every write of an
     * attempt is conditioned on its owner token.
     */
    static final Duration LEASE = WindowTiming.INGEST_DEADLINE.plus(AwsClients.API_CALL_TIMEOUT);

    private static final int CLAIM_ATTEMPTS = 3;

    /**
     * Larger answers (500 verdicts with long messageIds reach ~1 MB) are kept in parts of this
     * size, each its own item: one DynamoDB item holds at most 400 KB.
     */
    static final int MAX_RESPONSE_PART = 300_000;

    private final DynamoDbClient db;
    private final String table;

    IdempotencyLedger(DynamoDbClient db, String table) {
        this.db = db;
        this.table = table;
    }

    /**
     * The outcome of {@link #claim}.
     *
     * @param earlier the answer to give instead of storing (the first answer, "in progress", or
     *                "key reused"); null when this attempt now owns the key
     * @param owner   this attempt's owner token: every later write checks it
     * @param counted   request indexes that earlier attempts with this key counted
     * @param expiresAt the key's expiry, epoch seconds (set by its first claim)
     */
    record Claim(IngestOutcome earlier, String owner, Set<Integer> counted, long expiresAt) {

        static Claim answered(IngestOutcome earlier) {
            return new Claim(earlier, null, Set.of(), 0);
        }
    }

    /**
     * Takes the key for this attempt: a PutItem when the key is new (or expired); after an
     * earlier attempt whose lease ran out (or was released), an UpdateItem that hands the key to
     * this attempt. The key's expiry is set once, by the first claim: a key and everything
     * stored under it are forgotten together, 24 hours after its first use. A claim or take-over
     * that the SDK re-sent after DynamoDB applied it is recognised by the owner token.
     */
    Claim claim(String key, String digest, WriteRun run) {
        String owner = UUID.randomUUID().toString();
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            long now = run.nowSeconds();
            Map<String, AttributeValue> fresh = new HashMap<>(Map.of(
                    PK,
                    s(ItemKeys.requestPk(key)),
                    SK,
                    s(ItemKeys.REQUEST_SK),
                    STATUS,
                    s(STATUS_IN_PROGRESS),
                    OWNER,
                    s(owner),
                    LEASE_UNTIL,
                    n(now + LEASE.toSeconds()),
                    EXPIRES_AT,
                    n(now + Retention.DEDUPE.toSeconds())));
            if (digest != null) {
                fresh.put(REQUEST_DIGEST, s(digest));
            }
            try {
                DynamoErrors.call(
                        "PutItem (claim)",
                        () -> db.putItem(b -> b.tableName(table)
                                .item(fresh)
                                .conditionExpression("attribute_not_exists(#pk) OR #expiresAt < :now")
                                .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", EXPIRES_AT))
                                .expressionAttributeValues(Map.of(":now", n(now)))));
                run.wrote(1);
                return new Claim(null, owner, Set.of(), now + Retention.DEDUPE.toSeconds());
            } catch (ConditionalCheckFailedException taken) {
                Map<String, AttributeValue> item = read(key);
                if (item == null || number(item, EXPIRES_AT) < now) {
                    continue; // gone or expired since our put: try again
                }
                if (owner.equals(text(item, OWNER))) {
                    // our own put or take-over, re-sent by the SDK
                    return new Claim(null, owner, counted(item), number(item, EXPIRES_AT));
                }
                String stored = text(item, REQUEST_DIGEST);
                if (digest != null && stored != null && !digest.equals(stored)) {
                    return Claim.answered(new IngestOutcome.KeyReused());
                }
                if (STATUS_COMPLETE.equals(text(item, STATUS))) {
                    return Claim.answered(new IngestOutcome.Replayed(response(key, item)));
                }
                if (number(item, LEASE_UNTIL) >= now) {
                    return Claim.answered(new IngestOutcome.InProgress());
                }
                Map<String, AttributeValue> takenOver = takeOver(key, text(item, OWNER), owner, now);
                if (takenOver != null) {
                    run.wrote(1);
                    return new Claim(null, owner, counted(takenOver), number(takenOver, EXPIRES_AT));
                }
                // Another attempt took it over between our read and our update (or the SDK re-sent
                // ours): look again.
            }
        }
        return Claim.answered(new IngestOutcome.InProgress());
    }

    /** Hands an {@code IN_PROGRESS} key whose lease ran out to {@code owner}; null if it changed meanwhile. */
    private Map<String, AttributeValue> takeOver(String key, String previousOwner, String owner, long now) {
        String ownerCondition = previousOwner == null ? "attribute_not_exists(#owner)" : "#owner = :previous";
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":owner",
                s(owner),
                ":lease",
                n(now + LEASE.toSeconds()),
                ":now",
                n(now),
                ":inProgress",
                s(STATUS_IN_PROGRESS)));
        if (previousOwner != null) {
            values.put(":previous", s(previousOwner));
        }
        try {
            return DynamoErrors.call(
                            "UpdateItem (take over claim)",
                            () -> db.updateItem(b -> b.tableName(table)
                                    .key(key(key))
                                    .updateExpression("SET #owner = :owner, #leaseUntil = :lease")
                                    .conditionExpression(
                                            ownerCondition
                                                    + " AND #status = :inProgress AND #leaseUntil < :now AND #expiresAt >= :now")
                                    .expressionAttributeNames(Map.of(
                                            "#owner",
                                            OWNER,
                                            "#status",
                                            STATUS,
                                            "#leaseUntil",
                                            LEASE_UNTIL,
                                            "#expiresAt",
                                            EXPIRES_AT))
                                    .expressionAttributeValues(values)
                                    .returnValues(ReturnValue.ALL_NEW)))
                    .attributes();
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    /**
     * After a chunk's progress update was refused: whether {@code owner} still holds the key and
     * the chunk's first index is counted, i.e. the refused transaction was a re-sent copy of one
     * DynamoDB had applied. Read consistently.
     */
    boolean applied(String key, String owner, int firstIndex) {
        Map<String, AttributeValue> item = read(key);
        return item != null
                && owner.equals(text(item, OWNER))
                && STATUS_IN_PROGRESS.equals(text(item, STATUS))
                && counted(item).contains(firstIndex);
    }

    /**
     * Stores the answer; later requests with the key get it. Only while this attempt owns the
     * key: if another attempt took it over, this one's chunks are stored all the same, and the
     * other finds them counted and answers for itself. Not deadline-bound: it writes no window.
     */
    void complete(String key, Claim claim, byte[] response, WriteRun run) {
        String owner = claim.owner();
        String answer;
        AttributeValue value;
        if (response.length <= MAX_RESPONSE_PART) {
            answer = RESPONSE;
            value = AttributeValue.fromB(SdkBytes.fromByteArray(response));
        } else {
            // Parts under this owner's token: an attempt that lost the key cannot mix its parts in.
            int parts = (response.length + MAX_RESPONSE_PART - 1) / MAX_RESPONSE_PART;
            for (int i = 0; i < parts; i++) {
                byte[] part = Arrays.copyOfRange(
                        response, i * MAX_RESPONSE_PART, Math.min(response.length, (i + 1) * MAX_RESPONSE_PART));
                Map<String, AttributeValue> item = Map.of(
                        PK,
                        s(ItemKeys.requestPk(key)),
                        SK,
                        s(ItemKeys.responsePartSk(owner, i)),
                        RESPONSE,
                        AttributeValue.fromB(SdkBytes.fromByteArray(part)),
                        EXPIRES_AT,
                        n(claim.expiresAt()));
                DynamoErrors.call(
                        "PutItem (response part)",
                        () -> db.putItem(b -> b.tableName(table).item(item)));
                run.wrote(1);
            }
            answer = RESPONSE_PARTS;
            value = n(parts);
        }
        try {
            DynamoErrors.call(
                    "UpdateItem (complete)",
                    () -> db.updateItem(b -> b.tableName(table)
                            .key(key(key))
                            .updateExpression("SET #status = :complete, #answer = :answer REMOVE #counted")
                            .conditionExpression("#owner = :owner AND #status = :inProgress")
                            .expressionAttributeNames(
                                    Map.of("#status", STATUS, "#answer", answer, "#counted", COUNTED, "#owner", OWNER))
                            .expressionAttributeValues(Map.of(
                                    ":complete",
                                    s(STATUS_COMPLETE),
                                    ":answer",
                                    value,
                                    ":owner",
                                    s(owner),
                                    ":inProgress",
                                    s(STATUS_IN_PROGRESS)))));
            run.wrote(1);
        } catch (ConditionalCheckFailedException e) {
            // Already complete (the SDK re-sent our update) or taken over: nothing left to do.
        }
    }

    /**
     * Ends this attempt's lease after a failure so that the client's retry need not wait for it;
     * the {@code counted} set lets the retry skip what this attempt stored. Best effort, and only
     * while the key is still this attempt's.
     */
    void release(String key, String owner, Throwable failure) {
        try {
            db.updateItem(b -> b.tableName(table)
                    .key(key(key))
                    .updateExpression("SET #leaseUntil = :zero")
                    .conditionExpression("#owner = :owner AND #status = :inProgress")
                    .expressionAttributeNames(Map.of("#leaseUntil", LEASE_UNTIL, "#status", STATUS, "#owner", OWNER))
                    .expressionAttributeValues(
                            Map.of(":zero", n(0), ":inProgress", s(STATUS_IN_PROGRESS), ":owner", s(owner))));
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The stored answer of a complete request: inline, or in parts under its owner's token. */
    private byte[] response(String key, Map<String, AttributeValue> item) {
        AttributeValue inline = item.get(RESPONSE);
        if (inline != null) {
            return inline.b().asByteArray();
        }
        int parts = (int) number(item, RESPONSE_PARTS);
        String owner = text(item, OWNER);
        ByteArrayOutputStream out = new ByteArrayOutputStream(parts * MAX_RESPONSE_PART);
        for (int i = 0; i < parts; i++) {
            String sk = ItemKeys.responsePartSk(owner, i);
            Map<String, AttributeValue> part = DynamoErrors.call(
                            "GetItem (response part)",
                            () -> db.getItem(b -> b.tableName(table)
                                    .key(Map.of(PK, s(ItemKeys.requestPk(key)), SK, s(sk)))
                                    .consistentRead(true)))
                    .item();
            if (part == null || part.isEmpty()) {
                throw new IllegalStateException(
                        "part " + i + " of the stored answer for an Idempotency-Key is missing");
            }
            out.writeBytes(part.get(RESPONSE).b().asByteArrayUnsafe());
        }
        return out.toByteArray();
    }

    private Map<String, AttributeValue> read(String key) {
        Map<String, AttributeValue> item = DynamoErrors.call(
                        "GetItem (claim)",
                        () -> db.getItem(b -> b.tableName(table).key(key(key)).consistentRead(true)))
                .item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static Set<Integer> counted(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(COUNTED);
        Set<Integer> out = new HashSet<>();
        if (v != null && v.hasNs()) {
            v.ns().forEach(i -> out.add(Integer.parseInt(i)));
        }
        return out;
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of(PK, s(ItemKeys.requestPk(key)), SK, s(ItemKeys.REQUEST_SK));
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
