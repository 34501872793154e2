package org.dmarcreporter.aws;

import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The same DynamoDB round trip against LocalStack in a container, as a second opinion on moto.
 * Skipped (not failed) where no Docker engine answers, which includes CI here.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackRoundTripTest extends DynamoDbRoundTripContract {

    // 4.14.0 is the last LocalStack image that starts without an auth token (2026-02-26); it gets
    // no security updates, which is acceptable for a throwaway test container.
    private static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.14.0");

    @Container
    private static final LocalStackContainer LOCALSTACK = new LocalStackContainer(IMAGE);

    private static DynamoDbClient client;

    @Override
    protected DynamoDbClient dynamoDb() {
        if (client == null) {
            AwsClients clients = new AwsClients(
                    Region.of(LOCALSTACK.getRegion()),
                    Optional.of(LOCALSTACK.getEndpoint()),
                    Optional.of(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()))));
            client = clients.dynamoDb();
        }
        return client;
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
