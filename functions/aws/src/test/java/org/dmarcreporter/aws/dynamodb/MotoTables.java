package org.dmarcreporter.aws.dynamodb;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.codec.StoredJson;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The two tables of {@code template.yaml} (fresh, uniquely named) on the test endpoint, a client
 * that counts writes, and the reads the tests check with. Skips the calling test when
 * {@code DMARC_AWS_ENDPOINT} is not set.
 */
final class MotoTables implements AutoCloseable {

    final WriteCounter counter = new WriteCounter();
    final DynamoDbClient client;
    final TestTable reports;
    final TestTable candidates;

    MotoTables(ExecutionInterceptor... extra) {
        DynamoDbClient admin = AwsTestEndpoint.dynamoDb();
        reports = TestTable.builder(admin)
                .namePrefix("reports")
                .partitionKey("pk")
                .sortKey("sk")
                .timeToLive("expiresAt")
                .create();
        candidates = TestTable.builder(admin).namePrefix("candidates").partitionKey("pk").stream(
                        StreamViewType.NEW_IMAGE)
                .timeToLive("expiresAt")
                .create();
        client = AwsTestEndpoint.clients()
                .configure(DynamoDbClient.builder())
                .overrideConfiguration(o -> {
                    o.addExecutionInterceptor(counter);
                    for (ExecutionInterceptor i : extra) {
                        o.addExecutionInterceptor(i);
                    }
                })
                .build();
    }

    DynamoDbResultStore store(Clock clock) {
        return new DynamoDbResultStore(client, reports.name(), candidates.name(), clock);
    }

    List<Map<String, AttributeValue>> scan(TestTable table) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder b =
                    ScanRequest.builder().tableName(table.name()).consistentRead(true);
            if (start != null) {
                b.exclusiveStartKey(start);
            }
            ScanResponse page = AwsTestEndpoint.dynamoDb().scan(b.build());
            out.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    List<Map<String, AttributeValue>> reportItems(String pkPrefix) {
        return scan(reports).stream()
                .filter(i -> i.get("pk").s().startsWith(pkPrefix))
                .toList();
    }

    /** Count per row, keyed by the row's source IP and disposition (as the row JSON says). */
    Map<String, Long> counts(String pkPrefix) {
        Map<String, Long> out = new HashMap<>();
        for (Map<String, AttributeValue> item : reportItems(pkPrefix)) {
            var row = StoredJson.row(item.get("row").s());
            out.merge(
                    row.sourceIp() + "/" + row.disposition().token(),
                    Long.parseLong(item.get("count").n()),
                    Long::sum);
        }
        return out;
    }

    long totalCount() {
        return reportItems("ROW#").stream()
                .mapToLong(i -> Long.parseLong(i.get("count").n()))
                .sum();
    }

    @Override
    public void close() {
        client.close();
        reports.close();
        candidates.close();
    }
}
