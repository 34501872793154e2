package org.dmarcreporter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.dmarcreporter.aws.testing.TestTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The DynamoDB behaviour our store relies on, checked with the real SDK against whatever endpoint
 * a subclass supplies (moto, LocalStack): exact attribute round trip, atomic {@code ADD} counters,
 * and conditional writes that refuse to overwrite.
 */
abstract class DynamoDbRoundTripContract {

    private TestTable table;

    /** The client under test; may skip the test (JUnit assumption) when its endpoint is missing. */
    protected abstract DynamoDbClient dynamoDb();

    @BeforeEach
    void createTable() {
        table = TestTable.builder(dynamoDb()).partitionKey("pk").sortKey("sk").create();
    }

    @AfterEach
    void deleteTable() {
        if (table != null) {
            table.close();
        }
    }

    @Test
    void consistentGetReturnsExactlyTheAttributesPut() {
        Map<String, AttributeValue> item = Map.of(
                "pk", s("domain#example.com"),
                "sk", s("row#2026-11-27#192.0.2.1"),
                "count", AttributeValue.fromN("3"),
                "headerFrom", s("example.com"),
                "dkimDomains", AttributeValue.fromSs(java.util.List.of("a.example", "b.example")),
                "headers", AttributeValue.fromB(SdkBytes.fromUtf8String("From: a@example.com\r\n")),
                "reportRequested", AttributeValue.fromBool(true),
                "policy", AttributeValue.fromM(Map.of("p", s("reject"), "pct", AttributeValue.fromN("100"))));
        dynamoDb().putItem(b -> b.tableName(table.name()).item(item));

        Map<String, AttributeValue> read = dynamoDb()
                .getItem(b -> b.tableName(table.name())
                        .key(key("domain#example.com", "row#2026-11-27#192.0.2.1"))
                        .consistentRead(true))
                .item();

        assertThat(read).isEqualTo(item);
    }

    @Test
    void addingOneTwiceToAMissingCounterReadsTwo() {
        Map<String, AttributeValue> key = key("domain#example.com", "row#counter");
        for (int i = 0; i < 2; i++) {
            dynamoDb()
                    .updateItem(b -> b.tableName(table.name())
                            .key(key)
                            .updateExpression("ADD #count :one")
                            .expressionAttributeNames(Map.of("#count", "count"))
                            .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
        }

        Map<String, AttributeValue> read = dynamoDb()
                .getItem(b -> b.tableName(table.name()).key(key).consistentRead(true))
                .item();

        assertThat(read.get("count")).isEqualTo(AttributeValue.fromN("2"));
    }

    @Test
    void conditionalPutOnAnExistingKeyFailsAndKeepsTheFirstItem() {
        Map<String, AttributeValue> first = Map.of("pk", s("dedupe#msg-1"), "sk", s("-"), "v", s("first"));
        Map<String, AttributeValue> second = Map.of("pk", s("dedupe#msg-1"), "sk", s("-"), "v", s("second"));
        dynamoDb().putItem(b -> b.tableName(table.name()).item(first).conditionExpression("attribute_not_exists(pk)"));

        assertThatThrownBy(() -> dynamoDb()
                        .putItem(b ->
                                b.tableName(table.name()).item(second).conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);

        Map<String, AttributeValue> read = dynamoDb()
                .getItem(b ->
                        b.tableName(table.name()).key(key("dedupe#msg-1", "-")).consistentRead(true))
                .item();
        assertThat(read.get("v")).isEqualTo(s("first"));
    }

    @Test
    void transactionWithAFailedConditionWritesNothing() {
        Map<String, AttributeValue> existing = Map.of("pk", s("idem#key-1"), "sk", s("-"));
        dynamoDb().putItem(b -> b.tableName(table.name()).item(existing));

        TransactWriteItem counter = TransactWriteItem.builder()
                .update(u -> u.tableName(table.name())
                        .key(key("domain#example.com", "row#tx"))
                        .updateExpression("ADD #count :one")
                        .expressionAttributeNames(Map.of("#count", "count"))
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))))
                .build();
        TransactWriteItem claim = TransactWriteItem.builder()
                .put(p -> p.tableName(table.name()).item(existing).conditionExpression("attribute_not_exists(pk)"))
                .build();

        assertThatThrownBy(() -> dynamoDb().transactWriteItems(b -> b.transactItems(counter, claim)))
                .isInstanceOfSatisfying(
                        TransactionCanceledException.class,
                        e -> assertThat(e.cancellationReasons())
                                .extracting(CancellationReason::code)
                                .containsExactly("None", "ConditionalCheckFailed"));

        Map<String, AttributeValue> counterItem = dynamoDb()
                .getItem(b -> b.tableName(table.name())
                        .key(key("domain#example.com", "row#tx"))
                        .consistentRead(true))
                .item();
        assertThat(counterItem).isEmpty();
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
