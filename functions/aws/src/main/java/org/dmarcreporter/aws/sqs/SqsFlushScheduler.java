package org.dmarcreporter.aws.sqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Objects;
import org.dmarcreporter.core.report.dispatch.FlushScheduler;
import org.dmarcreporter.core.store.StoreUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Schedules a merge slot's flush as one SQS message with {@code DelaySeconds} (docs/failure-reports.md,
 * "In AWS"): the failure function receives it from the flush queue once the delay is over and
 * calls {@code FailureDispatcher.flush}. SQS keeps the message durably, so a flush survives any
 * crash of the function; SQS delivers at least once, and the ledger's {@code takeSlot} makes a
 * repeated flush send nothing.
 *
 * <p>SQS delays a message by at most 15 minutes: a later {@code dueAt} is cut to that, and the
 * flush then comes early (the dispatcher sends what the slot holds then, which the port allows).
 * A {@code dueAt} in the past is sent without delay.
 */
public final class SqsFlushScheduler implements FlushScheduler {

    /** SQS's largest {@code DelaySeconds}. */
    public static final int MAX_DELAY_SECONDS = 900;

    static final String SLOT_KEY = "slotKey";
    static final String DUE_AT = "dueAt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final Clock clock;

    /**
     * @param sqs      a client from {@link org.dmarcreporter.aws.AwsClients#sqs()}
     * @param queueUrl the flush queue's URL
     * @param clock    gives "now" for the delay
     */
    public SqsFlushScheduler(SqsClient sqs, String queueUrl, Clock clock) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void scheduleFlush(String slotKey, long dueAt) {
        long now = clock.instant().getEpochSecond();
        int delay = delaySeconds(dueAt, now);
        SendMessageRequest request = SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(body(slotKey, dueAt))
                .delaySeconds(delay)
                .build();
        try {
            sqs.sendMessage(request);
        } catch (SdkClientException e) {
            throw new StoreUnavailableException("SQS SendMessage (flush) failed: " + e.getMessage(), e);
        } catch (AwsServiceException e) {
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new StoreUnavailableException("SQS SendMessage (flush) failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** {@code dueAt - now}, within 0 and {@link #MAX_DELAY_SECONDS}. */
    static int delaySeconds(long dueAt, long now) {
        return (int) Math.max(0, Math.min(MAX_DELAY_SECONDS, dueAt - now));
    }

    /** The message body: {@code {"slotKey":"...","dueAt":N}} (JSON escapes keep any key legal in SQS). */
    public static String body(String slotKey, long dueAt) {
        ObjectNode node = JSON.createObjectNode();
        node.put(SLOT_KEY, Objects.requireNonNull(slotKey, "slotKey"));
        node.put(DUE_AT, dueAt);
        return node.toString();
    }

    /**
     * The flush a message body asks for.
     *
     * @throws IllegalArgumentException when the body is not one that {@link #body} wrote
     */
    public static Flush parse(String body) {
        JsonNode node;
        try {
            node = body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("flush message is not JSON", e);
        }
        if (node == null
                || !node.isObject()
                || !node.path(SLOT_KEY).isTextual()
                || node.path(SLOT_KEY).asText().isEmpty()
                || !node.path(DUE_AT).canConvertToLong()) {
            throw new IllegalArgumentException("flush message must be {\"slotKey\": text, \"dueAt\": number}");
        }
        return new Flush(node.get(SLOT_KEY).asText(), node.get(DUE_AT).asLong());
    }

    /** What one flush message asks for. */
    public record Flush(String slotKey, long dueAt) {}
}
