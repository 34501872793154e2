package org.dmarcreporter.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS SDK clients the functions use, all configured the same way: the JDK URL-connection
 * HTTP client (fastest cold start, no extra jars), the region from {@code AWS_REGION}, and an
 * optional endpoint override for emulators (moto, LocalStack).
 *
 * <p>Credentials come from the SDK's default chain unless a provider is given explicitly (tests
 * against a container). A Lambda function must never pin environment-variable credentials:
 * SnapStart restores get container credentials instead.
 *
 * <p>Create clients once per process (a static field or the handler's constructor) and reuse them.
 */
public final class AwsClients {

    /** Environment variable holding the region; Lambda always sets it. */
    public static final String REGION_VARIABLE = "AWS_REGION";

    /** Environment variable holding an endpoint override, e.g. {@code http://127.0.0.1:5000} for moto. */
    public static final String ENDPOINT_VARIABLE = "DMARC_AWS_ENDPOINT";

    // Well below the ingest function's 28 s timeout, so a stuck connection fails the call rather
    // than the whole invocation; API_CALL_TIMEOUT bounds a call with all its retries.
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
    // moto answers one request at a time (scripts/test), so on a loaded machine a call may wait
    // behind several slow transactions of other callers before its first byte comes back.
    private static final Duration EMULATOR_SOCKET_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The longest one SDK call to the AWS endpoints may take, its retries included: the ingest
     * function's timeout budget counts on it (docs/dynamodb-data-model.md, "Timing").
     */
    public static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(4);

    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;

    /**
     * @param region      region every client talks to
     * @param endpoint    endpoint override (emulator or test account), or empty for the AWS endpoints
     * @param credentials credentials provider, or empty for the SDK's default chain
     */
    public AwsClients(Region region, Optional<URI> endpoint, Optional<AwsCredentialsProvider> credentials) {
        this.region = Objects.requireNonNull(region, "region");
        this.endpoint = endpoint.orElse(null);
        this.credentials = credentials.orElse(null);
    }

    /** Clients configured from the process environment ({@code AWS_REGION}, {@code DMARC_AWS_ENDPOINT}). */
    public static AwsClients fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Clients configured from the given environment: {@code AWS_REGION} is required,
     * {@code DMARC_AWS_ENDPOINT} is used when set and not blank.
     *
     * @throws IllegalStateException naming the variable when a value is missing or unusable
     */
    public static AwsClients fromEnvironment(Map<String, String> environment) {
        String regionName = trimToNull(environment.get(REGION_VARIABLE));
        if (regionName == null) {
            throw new IllegalStateException(REGION_VARIABLE + " is not set: the AWS region to use, e.g. us-east-1");
        }
        String endpoint = trimToNull(environment.get(ENDPOINT_VARIABLE));
        return new AwsClients(
                Region.of(regionName),
                endpoint == null ? Optional.empty() : Optional.of(parseEndpoint(endpoint)),
                Optional.empty());
    }

    /**
     * Parses an endpoint override; it must be an absolute http(s) URL such as
     * {@code http://127.0.0.1:5000}.
     *
     * @throws IllegalStateException naming {@code DMARC_AWS_ENDPOINT} when it is not
     */
    public static URI parseEndpoint(String value) {
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw badEndpoint(value);
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw badEndpoint(value);
        }
        return uri;
    }

    private static IllegalStateException badEndpoint(String value) {
        return new IllegalStateException(
                ENDPOINT_VARIABLE + " must be an http(s) URL such as http://127.0.0.1:5000, not '" + value + "'");
    }

    public Region region() {
        return region;
    }

    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** A new DynamoDB client; the caller owns it and should keep it for the life of the process. */
    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder()).build();
    }

    /** A new SES v2 client (report mail); the caller owns it and should keep it for the life of the process. */
    public SesV2Client sesV2() {
        return configure(SesV2Client.builder()).build();
    }

    /** A new SQS client (failure-report flush messages); the caller owns it and should keep it for the life of the process. */
    public SqsClient sqs() {
        return configure(SqsClient.builder()).build();
    }

    /** Applies the shared settings to any sync client builder (later: SES v2, EventBridge). */
    public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(region);
        builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECTION_TIMEOUT)
                .socketTimeout(endpoint == null ? SOCKET_TIMEOUT : EMULATOR_SOCKET_TIMEOUT));
        if (endpoint == null) {
            // The AWS endpoints answer in milliseconds; emulators (moto serves one request at a
            // time) may not, and are not held to the function's timing budget.
            builder.overrideConfiguration(o -> o.apiCallTimeout(API_CALL_TIMEOUT));
        } else {
            builder.endpointOverride(endpoint);
        }
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        return builder;
    }

    private static String trimToNull(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
