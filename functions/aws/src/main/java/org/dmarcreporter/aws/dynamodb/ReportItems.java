package org.dmarcreporter.aws.dynamodb;

import static org.dmarcreporter.aws.dynamodb.ItemAttributes.CANDIDATE;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.COUNT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.DOMAIN;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.EXPIRES_AT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.POLICY_DOMAIN;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.POLICY_RECORD;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.ROW;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.STORED_AT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.UPDATED_AT;
import static org.dmarcreporter.aws.dynamodb.ItemAttributes.WINDOW_START;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.PK;
import static org.dmarcreporter.aws.dynamodb.ItemKeys.SK;

import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.WindowPolicy;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Builds the item writes of the data model documented on {@link DynamoDbResultStore}. */
final class ReportItems {

    /**
     * Markers are "absent" once their TTL has passed even if DynamoDB has not swept them yet
     * (TTL deletes lag by up to days): the de-dup and idempotency windows stay exactly 24 hours.
     */
    private static final String ABSENT_OR_EXPIRED = "attribute_not_exists(#pk) OR #expiresAt < :now";

    private final String reportsTable;
    private final String candidatesTable;

    ReportItems(String reportsTable, String candidatesTable) {
        this.reportsTable = reportsTable;
        this.candidatesTable = candidatesTable;
    }

    /** {@code count += n}; the row's JSON is set each time (it is the same for the same key). */
    ItemWrite row(RowIncrement increment, String rowJson) {
        long start = increment.window().start();
        return new ItemWrite(ItemWrite.Kind.ROW, null, reportsTable,
                Map.of(PK, s(ItemKeys.rowPk(increment.window())), SK, s(ItemKeys.rowSk(increment.rowKey()))),
                "ADD #count :n SET #row = :row, #expiresAt = :expiresAt",
                null,
                Map.of("#count", COUNT, "#row", ROW, "#expiresAt", EXPIRES_AT),
                Map.of(":n", n(increment.count()), ":row", s(rowJson),
                        ":expiresAt", n(start + Retention.REPORT_DATA.toSeconds())));
    }

    /** The window index entry: this domain has data in this window, published with this record. */
    ItemWrite window(WindowPolicy policy, long updatedAt) {
        long start = policy.window().start();
        Map<String, String> names = new HashMap<>(Map.of("#domain", DOMAIN, "#windowStart", WINDOW_START,
                "#updatedAt", UPDATED_AT, "#expiresAt", EXPIRES_AT));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":domain", s(policy.window().policyDomain()),
                ":windowStart", n(start),
                ":updatedAt", n(updatedAt),
                ":expiresAt", n(start + Retention.REPORT_DATA.toSeconds())));
        String update = "SET #domain = :domain, #windowStart = :windowStart, #updatedAt = :updatedAt,"
                + " #expiresAt = :expiresAt";
        if (policy.policyRecord() != null) {
            names.put("#policyRecord", POLICY_RECORD);
            values.put(":policyRecord", s(policy.policyRecord()));
            update += ", #policyRecord = :policyRecord";
        }
        return new ItemWrite(ItemWrite.Kind.WINDOW, null, reportsTable,
                Map.of(PK, s(ItemKeys.windowPk(policy.window().policyDomain())), SK, s(ItemKeys.windowSk(policy.window()))),
                update, null, names, values);
    }

    /**
     * A failure candidate, as one PutItem so that the stream sees one INSERT (moto emits two for
     * an UpdateItem that creates an item); never overwritten, so a retry makes no second record.
     */
    ItemWrite candidate(FailureCandidate candidate, String json) {
        long storedAt = candidate.storedAt().getEpochSecond();
        return new ItemWrite(ItemWrite.Kind.CANDIDATE, candidate.id(), candidatesTable,
                Map.of(PK, s(candidate.id()),
                        CANDIDATE, s(json),
                        POLICY_DOMAIN, s(candidate.policyDomain()),
                        STORED_AT, n(storedAt),
                        EXPIRES_AT, n(storedAt + Retention.FAILURE_CANDIDATE.toSeconds())),
                null, "attribute_not_exists(#pk)", Map.of("#pk", PK), Map.of());
    }

    /** "This messageId was counted"; fails its condition when it was, within {@link Retention#DEDUPE}. */
    ItemWrite message(String messageId, long now) {
        return new ItemWrite(ItemWrite.Kind.MESSAGE, messageId, reportsTable,
                Map.of(PK, s(ItemKeys.messagePk(messageId)), SK, s(ItemKeys.MESSAGE_SK),
                        EXPIRES_AT, n(now + Retention.DEDUPE.toSeconds())),
                null, ABSENT_OR_EXPIRED, Map.of("#pk", PK, "#expiresAt", EXPIRES_AT), Map.of(":now", n(now)));
    }

    /** "Chunk {@code chunkNo} of the request with this key is stored"; see {@link ChunkPlanner}. */
    ItemWrite chunkMarker(String idempotencyKey, int chunkNo, long now) {
        return new ItemWrite(ItemWrite.Kind.CHUNK_MARKER, null, reportsTable,
                Map.of(PK, s(ItemKeys.chunkPk(idempotencyKey, chunkNo)), SK, s(ItemKeys.CHUNK_SK),
                        EXPIRES_AT, n(now + Retention.DEDUPE.toSeconds())),
                null, ABSENT_OR_EXPIRED, Map.of("#pk", PK, "#expiresAt", EXPIRES_AT), Map.of(":now", n(now)));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
