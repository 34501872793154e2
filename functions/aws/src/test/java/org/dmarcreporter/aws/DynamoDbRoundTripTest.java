package org.dmarcreporter.aws;

import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB round trip against {@code DMARC_AWS_ENDPOINT}: the moto server started by
 * {@code scripts/test}. Skipped when the variable is not set.
 */
class DynamoDbRoundTripTest extends DynamoDbRoundTripContract {

    @Override
    protected DynamoDbClient dynamoDb() {
        return AwsTestEndpoint.dynamoDb();
    }
}
