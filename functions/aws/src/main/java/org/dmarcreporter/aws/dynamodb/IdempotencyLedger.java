package org.dmarcreporter.aws.dynamodb;

import org.dmarcreporter.core.window.WindowTiming;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.CHUNK_PLAN;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.EXPIRES_AT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.LEASE_UNTIL;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.RESPONSE;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS_COMPLETE;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STATUS_IN_PROGRESS;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;
import static org.dmarcreporter.aws.dynamodb.ReportItems.n;
import static org.dmarcreporter.aws.dynamodb.ReportItems.s;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.StoreUnavailableException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The {@code IDEMPOTENCY#<key>} request items: who is storing a request with a given key, its
 * {@link ChunkPlan} while it is in progress, and the answer once it is stored (docs/ingest-api.md: a
 * repeat within 24 hours gets the first answer).
 */
final class IdempotencyLedger {

    /**
     * How long a claim blocks others. Longer than {@link WindowTiming#INGEST_DEADLINE}, so a holder
     * that is still alive has stopped writing before anyone else may take the key over.
     */
    static final Duration LEASE = Duration.ofSeconds(60);

    private static final int CLAIM_ATTEMPTS = 3;

    private final DynamoDbClient db;
    private final String table;

    IdempotencyLedger(DynamoDbClient db, String table) {
        this.db = db;
        this.table = table;
    }

    /**
     * The outcome of {@link #claim}.
     *
     * @param earlier    the answer to give instead of storing (the first answer, or "in progress");
     *                   null when this request now holds the key and must store the batch
     * @param plan       the chunk plan on the request item: this request's own on a first claim, an
     *                   earlier attempt's when it took the key over
     * @param resumed    whether an earlier attempt held the key (some of its chunks may be stored)
     * @param leaseUntil this request's lease, epoch seconds; it identifies the claim in later writes
     */
    record Claim(IngestOutcome earlier, ChunkPlan plan, boolean resumed, long leaseUntil) {

        static Claim answered(IngestOutcome earlier) {
            return new Claim(earlier, null, false, 0);
        }
    }

    /**
     * Takes the key for this request: a PutItem with this request's chunk plan when the key is
     * new (or expired); after an earlier attempt whose lease ran out (or was released), an
     * UpdateItem that renews the lease and keeps that attempt's plan, whose chunk markers may
     * already be stored.
     */
    Claim claim(String key, WriteRun run, ChunkPlan plan) {
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            long now = run.nowSeconds();
            long lease = now + LEASE.toSeconds();
            Map<String, AttributeValue> fresh = new HashMap<>(Map.of(
                    PK, s(ItemKeys.requestPk(key)), SK, s(ItemKeys.REQUEST_SK),
                    STATUS, s(STATUS_IN_PROGRESS),
                    LEASE_UNTIL, n(lease),
                    EXPIRES_AT, n(now + Retention.DEDUPE.toSeconds())));
            if (!plan.isEmpty()) {
                fresh.put(CHUNK_PLAN, s(plan.encode()));
            }
            try {
                DynamoErrors.call("PutItem (claim)", () -> db.putItem(b -> b.tableName(table).item(fresh)
                        .conditionExpression("attribute_not_exists(#pk) OR #expiresAt < :now")
                        .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":now", n(now)))));
                run.wrote(1);
                return new Claim(null, plan, false, lease);
            } catch (ConditionalCheckFailedException taken) {
                Map<String, AttributeValue> item = DynamoErrors.call("GetItem (claim)", () -> db.getItem(b -> b
                        .tableName(table).key(key(key)).consistentRead(true))).item();
                if (item == null || item.isEmpty() || number(item, EXPIRES_AT) < now) {
                    continue; // gone or expired since our put: try again
                }
                String status = item.get(STATUS).s();
                if (STATUS_COMPLETE.equals(status)) {
                    return Claim.answered(new IngestOutcome.Replayed(item.get(RESPONSE).b().asByteArray()));
                }
                if (number(item, LEASE_UNTIL) >= now) {
                    return Claim.answered(new IngestOutcome.InProgress());
                }
                Map<String, AttributeValue> takenOver = takeOver(key, now, lease);
                if (takenOver != null) {
                    run.wrote(1);
                    AttributeValue stored = takenOver.get(CHUNK_PLAN);
                    return new Claim(null, ChunkPlan.decode(stored == null ? null : stored.s()), true, lease);
                }
                // Another retry took it over between our read and our update: look again.
            }
        }
        return Claim.answered(new IngestOutcome.InProgress());
    }

    /**
     * Renews an {@code IN_PROGRESS} claim whose lease ran out, keeping its chunk plan; null when
     * the item is no longer in that state. The expiry moves on too, so that the request item
     * outlives every chunk marker written under it.
     */
    private Map<String, AttributeValue> takeOver(String key, long now, long lease) {
        try {
            return DynamoErrors.call("UpdateItem (take over claim)", () -> db.updateItem(b -> b.tableName(table)
                    .key(key(key))
                    .updateExpression("SET #leaseUntil = :lease, #expiresAt = :expiresAt")
                    .conditionExpression("#status = :inProgress AND #leaseUntil < :now AND #expiresAt >= :now")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#leaseUntil", LEASE_UNTIL,
                            "#expiresAt", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":lease", n(lease),
                            ":expiresAt", n(now + Retention.DEDUPE.toSeconds()),
                            ":now", n(now), ":inProgress", s(STATUS_IN_PROGRESS)))
                    .returnValues(ReturnValue.ALL_NEW))).attributes();
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    /**
     * Whether chunk {@code chunkNo}'s marker is stored, read consistently. A marker past its
     * expiry counts as absent, as in the condition of the marker's own Put.
     */
    boolean chunkStored(String key, int chunkNo, WriteRun run) {
        Map<String, AttributeValue> item = DynamoErrors.call("GetItem (chunk marker)", () -> db.getItem(b -> b
                .tableName(table)
                .key(Map.of(PK, s(ItemKeys.chunkPk(key, chunkNo)), SK, s(ItemKeys.CHUNK_SK)))
                .consistentRead(true))).item();
        return item != null && !item.isEmpty() && number(item, EXPIRES_AT) >= run.storedAtSeconds();
    }

    /**
     * Replaces the stored chunk plan ({@link ResumedPlan}) before any chunk of the new plan is
     * written. Only while this request's claim holds: otherwise nothing more may be written.
     */
    void savePlan(String key, ChunkPlan plan, long leaseUntil, WriteRun run) {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("a changed chunk plan has at least one chunk");
        }
        run.checkDeadline();
        try {
            DynamoErrors.call("UpdateItem (chunk plan)", () -> db.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET #chunkPlan = :plan")
                    .conditionExpression("#status = :inProgress AND #leaseUntil = :lease")
                    .expressionAttributeNames(Map.of("#chunkPlan", CHUNK_PLAN, "#status", STATUS,
                            "#leaseUntil", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":plan", s(plan.encode()),
                            ":inProgress", s(STATUS_IN_PROGRESS), ":lease", n(leaseUntil)))));
            run.wrote(1);
        } catch (ConditionalCheckFailedException e) {
            throw new StoreUnavailableException("another request took over the Idempotency-Key while this one"
                    + " was storing it; nothing more was written, retry the request", e);
        }
    }

    /**
     * Stores the answer; later requests with the key get it. The plan is dropped: nothing reads
     * it once the request is complete. Not deadline-bound: it writes no window.
     */
    void complete(String key, byte[] response, WriteRun run) {
        DynamoErrors.call("UpdateItem (complete)", () -> db.updateItem(b -> b.tableName(table).key(key(key))
                .updateExpression("SET #status = :complete, #response = :response REMOVE #chunkPlan")
                .expressionAttributeNames(Map.of("#status", STATUS, "#response", RESPONSE, "#chunkPlan", CHUNK_PLAN))
                .expressionAttributeValues(Map.of(":complete", s(STATUS_COMPLETE),
                        ":response", AttributeValue.fromB(SdkBytes.fromByteArray(response))))));
        run.wrote(1);
    }

    /**
     * Ends this request's lease after a failed attempt so that the client's retry need not wait
     * for it; the stored plan and the chunk markers let the retry skip what this attempt stored.
     * Best effort, and only while the claim is still this request's.
     */
    void release(String key, long leaseUntil, Throwable failure) {
        try {
            db.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET #leaseUntil = :zero")
                    .conditionExpression("#status = :inProgress AND #leaseUntil = :lease")
                    .expressionAttributeNames(Map.of("#leaseUntil", LEASE_UNTIL, "#status", STATUS))
                    .expressionAttributeValues(Map.of(":zero", n(0), ":inProgress", s(STATUS_IN_PROGRESS),
                            ":lease", n(leaseUntil))));
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of(PK, s(ItemKeys.requestPk(key)), SK, s(ItemKeys.REQUEST_SK));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
