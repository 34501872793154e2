package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.report.dispatch.FailureLedger;
import org.dmarcreporter.core.report.dispatch.FailureLedger.Join;
import org.dmarcreporter.core.report.dispatch.FailureLedger.TakenSlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What the contract cannot see: the items in ReportsTable (docs/dynamodb-data-model.md) and the
 * answers when DynamoDB applied a write but its answer was lost, so that the SDK sent it again.
 */
class DynamoDbFailureLedgerTest {

    private static final long T0 = 1764547200L;
    private static final long DAY = 86_400L;

    private final LostAnswer lostAnswer = new LostAnswer();
    private TestTable table;
    private DynamoDbClient client;
    private DynamoDbFailureLedger ledger;

    @BeforeEach
    void setUp() {
        table = TestTable.builder(AwsTestEndpoint.dynamoDb())
                .namePrefix("ledger")
                .partitionKey(ItemKeys.PK)
                .sortKey(ItemKeys.SK)
                .timeToLive(ItemAttributes.EXPIRES_AT)
                .create();
        client = AwsTestEndpoint.clients()
                .configure(DynamoDbClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(lostAnswer))
                .build();
        ledger = new DynamoDbFailureLedger(client, table.name());
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (table != null) {
            table.close();
        }
    }

    @Test
    void aSendMarkerIsOneItemKeyedByReportAndRecipientWithItsExpiry() {
        ledger.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY);

        Map<String, AttributeValue> item = item("FSEND#c1/dmarc", "ruf@example.com");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0 + DAY));
        assertThat(item.get("claimedAt").n()).isEqualTo(Long.toString(T0));
        assertThat(item).containsKey("token");
        assertThat(scanKeys()).containsExactly("FSEND#c1/dmarc|ruf@example.com");

        ledger.releaseSend("c1/dmarc", "ruf@example.com");
        assertThat(scanKeys()).isEmpty();
    }

    @Test
    void aSlotItemExpiresOneRetentionAfterItsDueTime() {
        ledger.joinSlot("s1", "first", T0, T0 + 10);
        ledger.joinSlot("s1", "second", T0 + 1, T0 + 11);

        Map<String, AttributeValue> item = item("FSLOT#s1", "SLOT");
        assertThat(item.get("heldCount").n()).isEqualTo("1");
        assertThat(item.get("representative").s()).isEqualTo("second");
        assertThat(item.get("heldSince").n()).isEqualTo(Long.toString(T0 + 1));
        assertThat(item.get("dueAt").n()).isEqualTo(Long.toString(T0 + 10));
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0 + 10 + FailureLedger.SLOT_RETENTION_SECONDS));

        ledger.takeSlot("s1", T0 + 10, T0 + 20);
        item = item("FSLOT#s1", "SLOT");
        assertThat(item.get("heldCount").n()).isEqualTo("0");
        assertThat(item).doesNotContainKey("heldSince");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0 + 20 + FailureLedger.SLOT_RETENTION_SECONDS));
    }

    @Test
    void aRateBucketIsOneCounterPerKeyAndPeriod() {
        ledger.takeToken("dest:ruf@example.com", T0, 5, T0 + 3600);
        ledger.takeToken("dest:ruf@example.com", T0, 5, T0 + 3600);

        Map<String, AttributeValue> item = item("FRATE#dest:ruf@example.com", Long.toString(T0));
        assertThat(item.get("tokens").n()).isEqualTo("2");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0 + 3600));
    }

    @Test
    void aClaimWhoseAnswerWasLostIsStillOurs() {
        lostAnswer.loseNext(PutItemRequest.class::isInstance, 1);

        assertThat(ledger.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY))
                .isTrue();

        assertThat(lostAnswer.lost()).isEqualTo(1);
        assertThat(lostAnswer.attempts()).isEqualTo(2);
        assertThat(ledger.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY))
                .isFalse();
    }

    @Test
    void aTokenWhoseAnswerWasLostIsCountedOnce() {
        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);

        assertThat(ledger.takeToken("all", T0, 2, T0 + 60)).isTrue();

        assertThat(lostAnswer.attempts()).isEqualTo(2);
        assertThat(item("FRATE#all", Long.toString(T0)).get("tokens").n()).isEqualTo("1");
        assertThat(ledger.takeToken("all", T0, 2, T0 + 60)).isTrue();
        assertThat(ledger.takeToken("all", T0, 2, T0 + 60)).isFalse();
    }

    @Test
    void slotWritesWhoseAnswersWereLostCountEachIncidentOnce() {
        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);
        assertThat(ledger.joinSlot("s1", "a", T0, T0 + 10)).isEqualTo(new Join.Opened(T0 + 10));
        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);
        assertThat(ledger.joinSlot("s1", "b", T0 + 1, T0 + 11)).isEqualTo(new Join.Joined(1, T0 + 10));
        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);
        assertThat(ledger.joinSlot("s1", "c", T0 + 2, T0 + 12)).isEqualTo(new Join.Joined(2, T0 + 10));
        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);
        assertThat(ledger.hold("s1", "d", 3, T0, T0 + 3, T0 + 60)).isEqualTo(5);
        assertThat(lostAnswer.lost()).isEqualTo(4);

        lostAnswer.loseNext(UpdateItemRequest.class::isInstance, 1);
        assertThat(ledger.takeSlot("s1", T0 + 60, T0 + 70)).contains(new TakenSlot(5, "b", T0));
        assertThat(lostAnswer.lost()).isEqualTo(5);
        assertThat(ledger.takeSlot("s1", T0 + 60, T0 + 70)).isEmpty();
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return AwsTestEndpoint.dynamoDb()
                .getItem(b -> b.tableName(table.name())
                        .consistentRead(true)
                        .key(Map.of(
                                ItemKeys.PK, AttributeValue.builder().s(pk).build(),
                                ItemKeys.SK, AttributeValue.builder().s(sk).build())))
                .item();
    }

    private List<String> scanKeys() {
        return AwsTestEndpoint.dynamoDb().scan(b -> b.tableName(table.name())).items().stream()
                .map(i -> i.get(ItemKeys.PK).s() + "|" + i.get(ItemKeys.SK).s())
                .toList();
    }
}
