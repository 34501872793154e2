package org.dmarcreporter.aggregate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * {@link WorkQueue} on SQS: one {@code SendMessageBatch} per batch. Entries SQS refused (its
 * answer lists them one by one) are sent again, up to three times; then the batch fails, and
 * with it the invocation (a repeated fan-out only queues duplicates, which the worker answers
 * {@code already-reported}).
 */
final class SqsWorkQueue implements WorkQueue {

    private static final int ATTEMPTS = 3;

    private final SqsClient sqs;
    private final String queueUrl;

    SqsWorkQueue(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    @Override
    public void sendBatch(List<String> bodies, int delaySeconds) {
        if (bodies.isEmpty() || bodies.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH + " messages");
        }
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i))
                    .messageBody(bodies.get(i))
                    .delaySeconds(delaySeconds)
                    .build());
        }
        for (int attempt = 1; ; attempt++) {
            SendMessageBatchResponse response =
                    sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (!response.hasFailed() || response.failed().isEmpty()) {
                return;
            }
            Map<String, SendMessageBatchRequestEntry> byId = new HashMap<>();
            entries.forEach(e -> byId.put(e.id(), e));
            List<SendMessageBatchRequestEntry> again = new ArrayList<>();
            for (BatchResultErrorEntry failed : response.failed()) {
                if (Boolean.TRUE.equals(failed.senderFault()) || attempt == ATTEMPTS) {
                    throw new IllegalStateException(
                            "SQS refused a work item: " + failed.code() + " " + failed.message());
                }
                again.add(byId.get(failed.id()));
            }
            entries.clear();
            entries.addAll(again);
        }
    }
}
