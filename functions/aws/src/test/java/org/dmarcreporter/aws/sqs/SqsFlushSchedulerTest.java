package org.dmarcreporter.aws.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.dmarcreporter.aws.sqs.SqsFlushScheduler.Flush;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class SqsFlushSchedulerTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final long T = NOW.getEpochSecond();

    @Test
    void theDelayIsTheTimeToTheDueTimeWithinSqsLimits() {
        assertThat(SqsFlushScheduler.delaySeconds(T + 300, T)).isEqualTo(300);
        assertThat(SqsFlushScheduler.delaySeconds(T + 900, T)).isEqualTo(900);
        assertThat(SqsFlushScheduler.delaySeconds(T + 3600, T)).isEqualTo(900);
        assertThat(SqsFlushScheduler.delaySeconds(T, T)).isZero();
        assertThat(SqsFlushScheduler.delaySeconds(T - 60, T)).isZero();
    }

    @Test
    void theBodyCarriesAnySlotKeyAndReadsBack() {
        String key = "ruf@exämple.com|example.com|dmarc|192.0.2.1\u0001\"}";
        String body = SqsFlushScheduler.body(key, T + 60);
        assertThat(body).doesNotContain("\u0001");
        assertThat(SqsFlushScheduler.parse(body)).isEqualTo(new Flush(key, T + 60));
    }

    @Test
    void aBodyThatIsNotAFlushIsRefused() {
        for (String bad : List.of(
                "",
                "x",
                "[]",
                "{}",
                "{\"slotKey\":\"\",\"dueAt\":1}",
                "{\"slotKey\":1,\"dueAt\":1}",
                "{\"slotKey\":\"s\"}",
                "{\"slotKey\":\"s\",\"dueAt\":\"soon\"}")) {
            assertThatThrownBy(() -> SqsFlushScheduler.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SqsFlushScheduler.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFlushDueNowIsOnTheQueueAtOnceAndALaterOneIsDelayed() {
        try (SqsClient sqs = AwsTestEndpoint.clients().sqs()) {
            String url = sqs.createQueue(b -> b.queueName("flush-" + UUID.randomUUID()))
                    .queueUrl();
            try {
                SqsFlushScheduler scheduler = new SqsFlushScheduler(sqs, url, Clock.fixed(NOW, ZoneOffset.UTC));

                scheduler.scheduleFlush("due-now", T - 5);
                scheduler.scheduleFlush("later", T + 600);

                List<Message> received = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10))
                        .messages();
                assertThat(received).hasSize(1);
                assertThat(SqsFlushScheduler.parse(received.get(0).body())).isEqualTo(new Flush("due-now", T - 5));
                String delayed = sqs.getQueueAttributes(b -> b.queueUrl(url)
                                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                        .attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
                assertThat(delayed).isEqualTo("1");
            } finally {
                sqs.deleteQueue(b -> b.queueUrl(url));
            }
        }
    }
}
