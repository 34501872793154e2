package org.dmarcreporter.aws.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A DynamoDB table made for one test: a unique name (so tests never see each other's items and
 * need no emulator reset), string keys, on-demand billing, optionally a stream and TTL attribute
 * like the tables of {@code template.yaml}. {@link #close()} deletes it.
 *
 * <pre>{@code
 * table = TestTable.builder(AwsTestEndpoint.dynamoDb()).partitionKey("pk").sortKey("sk").create();
 * ...
 * table.close();   // in @AfterEach
 * }</pre>
 */
public final class TestTable implements AutoCloseable {

    private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    private final DynamoDbClient client;
    private final String name;
    private final Optional<String> streamArn;

    private TestTable(DynamoDbClient client, String name, Optional<String> streamArn) {
        this.client = client;
        this.name = name;
        this.streamArn = streamArn;
    }

    public static Builder builder(DynamoDbClient client) {
        return new Builder(client);
    }

    public String name() {
        return name;
    }

    public DynamoDbClient client() {
        return client;
    }

    /** The stream ARN when the table was created with a stream. */
    public Optional<String> streamArn() {
        return streamArn;
    }

    /** Deletes the table; a table already gone (e.g. after a moto reset) is fine. */
    @Override
    public void close() {
        try {
            client.deleteTable(b -> b.tableName(name));
        } catch (ResourceNotFoundException e) {
            // already deleted
        }
    }

    public static final class Builder {
        private final DynamoDbClient client;
        private String prefix = "dmarc-test";
        private String partitionKey;
        private String sortKey;
        private StreamViewType streamView;
        private String ttlAttribute;

        private Builder(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** Start of the table name (a random suffix is added); helps find leftovers in a real account. */
        public Builder namePrefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** String (S) partition key. */
        public Builder partitionKey(String attribute) {
            this.partitionKey = attribute;
            return this;
        }

        /** String (S) sort key; omit for a partition-key-only table. */
        public Builder sortKey(String attribute) {
            this.sortKey = attribute;
            return this;
        }

        public Builder stream(StreamViewType view) {
            this.streamView = view;
            return this;
        }

        /** Turns on TTL for this attribute (moto stores the setting but never expires items). */
        public Builder timeToLive(String attribute) {
            this.ttlAttribute = attribute;
            return this;
        }

        /** Creates the table and waits until it is ACTIVE. */
        public TestTable create() {
            if (partitionKey == null) {
                throw new IllegalStateException("partitionKey is required");
            }
            String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
            List<AttributeDefinition> attributes = new ArrayList<>();
            List<KeySchemaElement> keys = new ArrayList<>();
            attributes.add(stringAttribute(partitionKey));
            keys.add(KeySchemaElement.builder()
                    .attributeName(partitionKey)
                    .keyType(KeyType.HASH)
                    .build());
            if (sortKey != null) {
                attributes.add(stringAttribute(sortKey));
                keys.add(KeySchemaElement.builder()
                        .attributeName(sortKey)
                        .keyType(KeyType.RANGE)
                        .build());
            }
            CreateTableRequest.Builder request = CreateTableRequest.builder()
                    .tableName(name)
                    .attributeDefinitions(attributes)
                    .keySchema(keys)
                    .billingMode(BillingMode.PAY_PER_REQUEST);
            if (streamView != null) {
                request.streamSpecification(s -> s.streamEnabled(true).streamViewType(streamView));
            }
            TableDescription created = client.createTable(request.build()).tableDescription();
            TestTable table = new TestTable(client, name, Optional.ofNullable(created.latestStreamArn()));
            try {
                awaitActive(name);
                if (ttlAttribute != null) {
                    client.updateTimeToLive(b -> b.tableName(name)
                            .timeToLiveSpecification(
                                    t -> t.attributeName(ttlAttribute).enabled(true)));
                }
            } catch (RuntimeException e) {
                table.close();
                throw e;
            }
            return table;
        }

        // Our own short poll: the SDK waiter sleeps 20 s between checks, too slow against real AWS
        // and pointless against emulators, which create tables ACTIVE at once.
        private void awaitActive(String name) {
            Instant deadline = Instant.now().plus(ACTIVE_TIMEOUT);
            while (true) {
                TableStatus status =
                        client.describeTable(b -> b.tableName(name)).table().tableStatus();
                if (status == TableStatus.ACTIVE) {
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("table " + name + " still " + status + " after " + ACTIVE_TIMEOUT);
                }
                try {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for table " + name, e);
                }
            }
        }

        private static AttributeDefinition stringAttribute(String name) {
            return AttributeDefinition.builder()
                    .attributeName(name)
                    .attributeType(ScalarAttributeType.S)
                    .build();
        }
    }
}
