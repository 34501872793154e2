package org.dmarcreporter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class AwsClientsTest {

    @Test
    void regionAndEndpointComeFromTheEnvironment() {
        AwsClients clients = AwsClients.fromEnvironment(Map.of(
                "AWS_REGION", "eu-west-1",
                "DMARC_AWS_ENDPOINT", "http://127.0.0.1:5123"));

        try (DynamoDbClient dynamoDb = clients.dynamoDb()) {
            assertThat(dynamoDb.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
            assertThat(dynamoDb.serviceClientConfiguration().endpointOverride())
                    .contains(URI.create("http://127.0.0.1:5123"));
        }
    }

    @Test
    void callsToTheAwsEndpointsAreBoundedByTheApiCallTimeoutRetriesIncluded() {
        AwsClients clients = AwsClients.fromEnvironment(Map.of("AWS_REGION", "us-east-1"));

        try (DynamoDbClient dynamoDb = clients.dynamoDb()) {
            assertThat(dynamoDb.serviceClientConfiguration()
                            .overrideConfiguration()
                            .apiCallTimeout())
                    .contains(AwsClients.API_CALL_TIMEOUT);
        }
    }

    @Test
    void blankEndpointMeansTheRealAwsEndpoints() {
        AwsClients clients = AwsClients.fromEnvironment(Map.of("AWS_REGION", "us-east-1", "DMARC_AWS_ENDPOINT", " "));

        assertThat(clients.endpoint()).isEmpty();
        try (DynamoDbClient dynamoDb = clients.dynamoDb()) {
            assertThat(dynamoDb.serviceClientConfiguration().endpointOverride()).isEmpty();
        }
    }

    @Test
    void missingRegionIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> AwsClients.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_REGION");
    }

    @Test
    void endpointThatIsNotAnHttpUrlIsAnErrorNamingTheVariable() {
        for (String bad : new String[] {"127.0.0.1:5000", "ftp://127.0.0.1/", "http://", "not a url"}) {
            assertThatThrownBy(() ->
                            AwsClients.fromEnvironment(Map.of("AWS_REGION", "us-east-1", "DMARC_AWS_ENDPOINT", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("DMARC_AWS_ENDPOINT")
                    .hasMessageContaining(bad);
        }
    }
}
