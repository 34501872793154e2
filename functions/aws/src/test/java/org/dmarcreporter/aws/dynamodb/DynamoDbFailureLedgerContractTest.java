package org.dmarcreporter.aws.dynamodb;

import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.report.dispatch.FailureLedger;
import org.dmarcreporter.core.report.dispatch.FailureLedgerContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The DynamoDB ledger keeps the {@link FailureLedger} contract against moto
 * ({@code DMARC_AWS_ENDPOINT}), each test on a fresh ReportsTable-shaped table. The race tests
 * run their eight threads against moto serving one request at a time (scripts/test), which gives
 * DynamoDB's per-item atomicity while the calls interleave freely.
 */
class DynamoDbFailureLedgerContractTest extends FailureLedgerContract {

    private TestTable table;

    @BeforeEach
    void createTable() {
        table = TestTable.builder(AwsTestEndpoint.dynamoDb())
                .namePrefix("ledger")
                .partitionKey(ItemKeys.PK)
                .sortKey(ItemKeys.SK)
                .timeToLive(ItemAttributes.EXPIRES_AT)
                .create();
    }

    @AfterEach
    void dropTable() {
        if (table != null) {
            table.close();
        }
    }

    @Override
    protected FailureLedger ledger() {
        return new DynamoDbFailureLedger(AwsTestEndpoint.dynamoDb(), table.name());
    }

    @Override
    protected boolean listsDueSlots() {
        return false;
    }
}
