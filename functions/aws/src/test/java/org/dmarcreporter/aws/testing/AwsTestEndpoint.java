package org.dmarcreporter.aws.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.dmarcreporter.aws.AwsClients;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The AWS endpoint that adapter tests run against, taken from {@code DMARC_AWS_ENDPOINT}:
 * the moto server that {@code scripts/test} starts, or LocalStack / a real test account when set by
 * hand. When it is not set the tests that need it are skipped (JUnit assumptions), so a plain
 * {@code mvn test} outside {@code scripts/test} still passes.
 *
 * <p>Credentials come from the SDK default chain ({@code scripts/test} exports dummy ones for moto);
 * the region from {@code AWS_REGION}, else {@code us-east-1}.
 */
public final class AwsTestEndpoint {

    public static final String VARIABLE = AwsClients.ENDPOINT_VARIABLE;

    private static final String NOT_SET = VARIABLE + " is not set: run scripts/test (it starts moto), "
            + "or set it to a LocalStack or AWS endpoint, to run this AWS test";

    private static volatile DynamoDbClient sharedDynamoDb;

    private AwsTestEndpoint() {}

    /** The endpoint, or empty when tests needing AWS should be skipped. */
    public static Optional<URI> endpoint() {
        return endpointFrom(System.getenv(VARIABLE));
    }

    /**
     * Reads an endpoint value. Blank counts as unset, and so does a value starting with
     * <code>${</code>: Maven passes the literal <code>${env.DMARC_AWS_ENDPOINT}</code> to Surefire
     * when the variable is not set in the environment.
     */
    static Optional<URI> endpointFrom(String value) {
        if (value == null || value.isBlank() || value.trim().startsWith("${")) {
            return Optional.empty();
        }
        return Optional.of(AwsClients.parseEndpoint(value));
    }

    public static boolean available() {
        return endpoint().isPresent();
    }

    /** Skips the calling test (or class, from {@code @BeforeAll}) when no endpoint is set. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), NOT_SET);
    }

    /** Client factory pointed at the endpoint; skips the calling test when there is none. */
    public static AwsClients clients() {
        assumeAvailable();
        String region = System.getenv(AwsClients.REGION_VARIABLE);
        return new AwsClients(
                Region.of(region == null || region.isBlank() ? "us-east-1" : region.trim()),
                endpoint(),
                Optional.empty());
    }

    /**
     * One DynamoDB client for the whole test JVM (clients are thread-safe and cheap to share);
     * skips the calling test when there is no endpoint.
     */
    public static DynamoDbClient dynamoDb() {
        AwsClients clients = clients();
        DynamoDbClient client = sharedDynamoDb;
        if (client == null) {
            synchronized (AwsTestEndpoint.class) {
                client = sharedDynamoDb;
                if (client == null) {
                    client = clients.dynamoDb();
                    sharedDynamoDb = client;
                }
            }
        }
        return client;
    }

    /**
     * Empties the moto server ({@code POST /moto-api/reset}): every table, stream, identity and sent
     * mail is gone. Tests that use unique table names ({@link TestTable}) do not need this; it is for
     * checks on global state such as "no mail was sent". Refused unless the endpoint is on this
     * machine, so it can never be aimed at AWS.
     */
    public static void resetMoto() {
        URI base = endpoint().orElseThrow(() -> new IllegalStateException(NOT_SET));
        if (!isLoopback(base.getHost())) {
            throw new IllegalStateException("refusing to reset " + base + ": moto reset is only for a local emulator");
        }
        HttpRequest reset = HttpRequest.newBuilder(base.resolve("/moto-api/reset"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient().send(reset, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "moto reset answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed at " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resetting moto", e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
