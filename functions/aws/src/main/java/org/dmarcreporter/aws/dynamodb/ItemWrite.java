package org.dmarcreporter.aws.dynamodb;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * One item write: inside a TransactWriteItems chunk, or (failure candidates) a PutItem of its own.
 *
 * @param kind       what the item is (tells a transaction's cancellation reasons apart)
 * @param ref        the messageId of a MESSAGE marker, the candidate id of a CANDIDATE, else null
 * @param item       the whole item of a put, or the key of an update
 * @param update     the update expression, or null for a put
 * @param condition  the condition expression, or null
 */
record ItemWrite(
        Kind kind,
        String ref,
        String table,
        Map<String, AttributeValue> item,
        String update,
        String condition,
        Map<String, String> names,
        Map<String, AttributeValue> values) {

    enum Kind {
        WRITE_MARKER,
        PROGRESS,
        MESSAGE,
        WINDOW,
        ROW,
        CANDIDATE
    }

    boolean isPut() {
        return update == null;
    }

    PutItemRequest putRequest() {
        return PutItemRequest.builder()
                .tableName(table)
                .item(item)
                .conditionExpression(condition)
                .expressionAttributeNames(emptyToNull(names))
                .expressionAttributeValues(emptyToNull(values))
                .build();
    }

    TransactWriteItem transactItem() {
        if (isPut()) {
            return TransactWriteItem.builder()
                    .put(Put.builder()
                            .tableName(table)
                            .item(item)
                            .conditionExpression(condition)
                            .expressionAttributeNames(emptyToNull(names))
                            .expressionAttributeValues(emptyToNull(values))
                            .build())
                    .build();
        }
        return TransactWriteItem.builder()
                .update(Update.builder()
                        .tableName(table)
                        .key(item)
                        .updateExpression(update)
                        .conditionExpression(condition)
                        .expressionAttributeNames(emptyToNull(names))
                        .expressionAttributeValues(emptyToNull(values))
                        .build())
                .build();
    }

    // DynamoDB rejects empty name/value maps; an absent map is fine.
    private static <K, V> Map<K, V> emptyToNull(Map<K, V> m) {
        return m == null || m.isEmpty() ? null : m;
    }
}
