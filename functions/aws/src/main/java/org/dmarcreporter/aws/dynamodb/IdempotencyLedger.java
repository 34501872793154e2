package org.dmarcreporter.aws.dynamodb;

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
import java.util.Map;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.Retention;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The {@code IDEMPOTENCY#<key>} request items: who is storing a request with a given key, and
 * the answer once it is stored (contract §1: a repeat within 24 hours gets the first answer).
 */
final class IdempotencyLedger {

    /**
     * How long a claim blocks others. Longer than {@link Retention#INGEST_DEADLINE}, so a holder
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
     * Takes the key for this request.
     *
     * @return null when this request now holds the key and must store the batch; otherwise the
     *         outcome to answer with (the first answer, or "in progress")
     */
    IngestOutcome claim(String key, WriteRun run) {
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            long now = run.nowSeconds();
            try {
                DynamoErrors.call("PutItem (claim)", () -> db.putItem(b -> b.tableName(table)
                        .item(Map.of(PK, s(ItemKeys.requestPk(key)), SK, s(ItemKeys.REQUEST_SK),
                                STATUS, s(STATUS_IN_PROGRESS),
                                LEASE_UNTIL, n(now + LEASE.toSeconds()),
                                EXPIRES_AT, n(now + Retention.DEDUPE.toSeconds())))
                        .conditionExpression("attribute_not_exists(#pk) OR #expiresAt < :now"
                                + " OR (#status = :inProgress AND #leaseUntil < :now)")
                        .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", EXPIRES_AT,
                                "#status", STATUS, "#leaseUntil", LEASE_UNTIL))
                        .expressionAttributeValues(Map.of(":now", n(now), ":inProgress", s(STATUS_IN_PROGRESS)))));
                run.wrote(1);
                return null;
            } catch (ConditionalCheckFailedException taken) {
                Map<String, AttributeValue> item = DynamoErrors.call("GetItem (claim)", () -> db.getItem(b -> b
                        .tableName(table).key(key(key)).consistentRead(true))).item();
                if (item == null || item.isEmpty() || number(item, EXPIRES_AT) < now) {
                    continue; // gone or expired since our put: try again
                }
                String status = item.get(STATUS).s();
                if (STATUS_COMPLETE.equals(status)) {
                    return new IngestOutcome.Replayed(item.get(RESPONSE).b().asByteArray());
                }
                if (number(item, LEASE_UNTIL) >= now) {
                    return new IngestOutcome.InProgress();
                }
                // The holder's lease ran out between our put and our read: try again.
            }
        }
        return new IngestOutcome.InProgress();
    }

    /** Stores the answer; later requests with the key get it. Not deadline-bound: it writes no window. */
    void complete(String key, byte[] response, WriteRun run) {
        DynamoErrors.call("UpdateItem (complete)", () -> db.updateItem(b -> b.tableName(table).key(key(key))
                .updateExpression("SET #status = :complete, #response = :response")
                .expressionAttributeNames(Map.of("#status", STATUS, "#response", RESPONSE))
                .expressionAttributeValues(Map.of(":complete", s(STATUS_COMPLETE),
                        ":response", AttributeValue.fromB(SdkBytes.fromByteArray(response))))));
        run.wrote(1);
    }

    /**
     * Ends the lease after a failed attempt so that the client's retry need not wait for it; the
     * chunk markers make the retry skip what this attempt already stored. Best effort.
     */
    void release(String key, Throwable failure) {
        try {
            db.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET #leaseUntil = :zero")
                    .conditionExpression("#status = :inProgress")
                    .expressionAttributeNames(Map.of("#leaseUntil", LEASE_UNTIL, "#status", STATUS))
                    .expressionAttributeValues(Map.of(":zero", n(0), ":inProgress", s(STATUS_IN_PROGRESS))));
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
