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

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.WindowPolicy;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Builds the item writes of the data model in {@code docs/dynamodb-data-model.md}. */
final class ReportItems {

    /**
     * Markers are "absent" once their TTL has passed even if DynamoDB has not swept them yet
     * (TTL deletes lag by up to days): the de-dup and idempotency windows stay exactly 24 hours.
     */
    private static final String ABSENT_OR_EXPIRED = "attribute_not_exists(#pk) OR #expiresAt < :now";

    /**
     * How long a write marker is kept: it only has to outlive the SDK's own retries of its
     * transaction (seconds); TTL removes it later.
     */
    static final Duration WRITE_MARKER_TTL = Duration.ofHours(1);

    private final String reportsTable;
    private final String candidatesTable;

    ReportItems(String reportsTable, String candidatesTable) {
        this.reportsTable = reportsTable;
        this.candidatesTable = candidatesTable;
    }

    /** {@code count += n}; the row's JSON is set each time (it is the same for the same key). */
    ItemWrite row(RowIncrement increment, String rowJson) {
        long start = increment.window().start();
        return new ItemWrite(
                ItemWrite.Kind.ROW,
                null,
                reportsTable,
                Map.of(PK, s(ItemKeys.rowPk(increment.window())), SK, s(ItemKeys.rowSk(increment.rowKey()))),
                "ADD #count :n SET #row = :row, #expiresAt = :expiresAt",
                null,
                Map.of("#count", COUNT, "#row", ROW, "#expiresAt", EXPIRES_AT),
                Map.of(
                        ":n",
                        n(increment.count()),
                        ":row",
                        s(rowJson),
                        ":expiresAt",
                        n(start + Retention.REPORT_DATA.toSeconds())));
    }

    /** The window index entry: this domain has data in this window, published with this record. */
    ItemWrite window(WindowPolicy policy, long updatedAt) {
        long start = policy.window().start();
        Map<String, String> names = new HashMap<>(Map.of(
                "#domain", DOMAIN, "#windowStart", WINDOW_START, "#updatedAt", UPDATED_AT, "#expiresAt", EXPIRES_AT));
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
        return new ItemWrite(
                ItemWrite.Kind.WINDOW,
                null,
                reportsTable,
                Map.of(
                        PK,
                        s(ItemKeys.windowPk(policy.window().policyDomain())),
                        SK,
                        s(ItemKeys.windowSk(policy.window()))),
                update,
                null,
                names,
                values);
    }

    /**
     * A failure candidate, as one PutItem so that the stream sees one INSERT (moto emits two for
     * an UpdateItem that creates an item); never overwritten, so a retry makes no second record.
     */
    ItemWrite candidate(FailureCandidate candidate, String json) {
        long storedAt = candidate.storedAt().getEpochSecond();
        return new ItemWrite(
                ItemWrite.Kind.CANDIDATE,
                candidate.id(),
                candidatesTable,
                Map.of(
                        PK,
                        s(candidate.id()),
                        CANDIDATE,
                        s(json),
                        POLICY_DOMAIN,
                        s(candidate.policyDomain()),
                        STORED_AT,
                        n(storedAt),
                        EXPIRES_AT,
                        n(storedAt + Retention.FAILURE_CANDIDATE.toSeconds())),
                null,
                "attribute_not_exists(#pk)",
                Map.of("#pk", PK),
                Map.of());
    }

    /** "This messageId was counted"; fails its condition when it was, within {@link Retention#DEDUPE}. */
    ItemWrite message(String messageId, long now) {
        return new ItemWrite(
                ItemWrite.Kind.MESSAGE,
                messageId,
                reportsTable,
                Map.of(
                        PK,
                        s(ItemKeys.messagePk(messageId)),
                        SK,
                        s(ItemKeys.MESSAGE_SK),
                        EXPIRES_AT,
                        n(now + Retention.DEDUPE.toSeconds())),
                null,
                ABSENT_OR_EXPIRED,
                Map.of("#pk", PK, "#expiresAt", EXPIRES_AT),
                Map.of(":now", n(now)));
    }

    /**
     * "This transaction was applied", for a request without Idempotency-Key: {@code token} is
     * new for each transaction, so the condition fails only when the SDK re-sends a transaction
     * that DynamoDB already applied.
     */
    ItemWrite writeMarker(String token, long now) {
        return new ItemWrite(
                ItemWrite.Kind.WRITE_MARKER,
                null,
                reportsTable,
                Map.of(
                        PK,
                        s(ItemKeys.writeMarkerPk(token)),
                        SK,
                        s(ItemKeys.WRITE_MARKER_SK),
                        EXPIRES_AT,
                        n(now + WRITE_MARKER_TTL.toSeconds())),
                null,
                "attribute_not_exists(#pk)",
                Map.of("#pk", PK),
                Map.of());
    }

    /**
     * The keyed request's progress, in the transaction that counts {@code indexes}: adds them to
     * the request item's {@code counted} set, only while {@code owner} holds the key and only once
     * (the first index is not counted yet: it fails when the SDK re-sends an applied transaction).
     */
    ItemWrite progress(String idempotencyKey, String owner, Collection<Integer> indexes) {
        AttributeValue set =
                AttributeValue.fromNs(indexes.stream().map(String::valueOf).toList());
        return new ItemWrite(
                ItemWrite.Kind.PROGRESS,
                null,
                reportsTable,
                Map.of(PK, s(ItemKeys.requestPk(idempotencyKey)), SK, s(ItemKeys.REQUEST_SK)),
                "ADD #counted :indexes",
                "#owner = :owner AND #status = :inProgress AND NOT contains(#counted, :first)",
                Map.of(
                        "#counted",
                        ItemAttributes.COUNTED,
                        "#owner",
                        ItemAttributes.OWNER,
                        "#status",
                        ItemAttributes.STATUS),
                Map.of(
                        ":indexes",
                        set,
                        ":owner",
                        s(owner),
                        ":inProgress",
                        s(ItemAttributes.STATUS_IN_PROGRESS),
                        ":first",
                        n(indexes.iterator().next())));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
