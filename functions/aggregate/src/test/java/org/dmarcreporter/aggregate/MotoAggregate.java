package org.dmarcreporter.aggregate;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.aws.dynamodb.DynamoDbReportLedger;
import org.dmarcreporter.aws.dynamodb.DynamoDbResultStore;
import org.dmarcreporter.aws.ses.SesTransport;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.MotoSes;
import org.dmarcreporter.aws.testing.TestTable;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.testing.MutableClock;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The aggregate functions against moto ({@code DMARC_AWS_ENDPOINT}): a fresh moto (reset), the
 * ReportsTable and candidates table, the SES sender domain, the work queue and its dead-letter
 * queue; results stored through the real ingest path ({@link DynamoDbResultStore}); what SES sent
 * read back from moto's {@code /moto-api/data.json}. The test plays Lambda's SQS event source:
 * {@link #deliver} receives, calls the worker and deletes what it did not report as failed.
 */
final class MotoAggregate implements AutoCloseable {

    static final String ORG = "reporter.example";

    final MutableClock clock;
    final AwsClients clients = AwsTestEndpoint.clients();
    final TestTable reports;
    final TestTable candidates;
    final SqsClient sqs;
    final String queueUrl;
    final String deadLetterUrl;
    final SesTransport ses;
    final Map<String, String> env;
    private final ZoneFileResolver zone = zone();

    /** @param maxReceiveCount the work queue's redrive to the dead-letter queue */
    MotoAggregate(Instant start, int maxReceiveCount) {
        AwsTestEndpoint.resetMoto();
        clock = new MutableClock(start);
        reports = TestTable.builder(AwsTestEndpoint.dynamoDb())
                .namePrefix("reports")
                .partitionKey("pk")
                .sortKey("sk")
                .timeToLive("expiresAt")
                .create();
        candidates = TestTable.builder(AwsTestEndpoint.dynamoDb())
                .namePrefix("candidates")
                .partitionKey("pk")
                .timeToLive("expiresAt")
                .create();
        try {
            clients.sesV2().createEmailIdentity(b -> b.emailIdentity(ORG));
        } catch (AlreadyExistsException e) {
            // verified before this reset could clear it
        }
        ses = new SesTransport(clients.sesV2());
        sqs = clients.configure(SqsClient.builder()).build();
        deadLetterUrl = sqs.createQueue(b -> b.queueName("work-dlq")).queueUrl();
        String deadLetterArn = sqs.getQueueAttributes(
                        b -> b.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        // Visibility 0: a message the worker kept is visible again at once unless the worker
        // itself pushed it back (pending windows), which the tests can then observe.
        queueUrl = sqs.createQueue(b -> b.queueName("work")
                        .attributes(Map.of(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "0",
                                QueueAttributeName.REDRIVE_POLICY,
                                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\""
                                        + maxReceiveCount + "\"}")))
                .queueUrl();
        env = new HashMap<>(Map.of(
                "ORG_NAME",
                ORG,
                "CONTACT_EMAIL",
                "dmarc-contact@" + ORG,
                "RETURN_PATH",
                "bounces@" + ORG,
                "COPY_REPORTS_TO",
                "",
                "REPORTS_TABLE",
                reports.name(),
                "WORK_QUEUE_URL",
                queueUrl,
                "SENDS_PER_SECOND",
                "1000"));
    }

    private static ZoneFileResolver zone() {
        try {
            return ZoneFileResolver.fromPaths(List.of(Path.of(
                    MotoAggregate.class.getResource("/aggregate-test.zone").toURI())));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    ReportFunctions functions(MailTransport transport) {
        return ReportFunctions.fromEnvironment(
                env::get,
                new DynamoDbReportLedger(reports.client(), reports.name(), clock),
                transport,
                sqs,
                zone,
                clock,
                clock::advance);
    }

    DynamoDbReportLedger ledger() {
        return new DynamoDbReportLedger(reports.client(), reports.name(), clock);
    }

    /** Stores {@code count} passing results from {@code headerFrom}'s domain at the clock's time, through ingest. */
    void ingest(String domain, int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("""
                            {"messageId": "<%s.%d.%d@%s>", "sourceIp": "192.0.2.%d", "headerFrom": "alice@%s",
                             "envelopeFrom": "bounce@%s", "envelopeTo": ["bob@receiver.example"],
                             "spf": {"result": "pass", "domain": "%s", "scope": "mfrom"},
                             "dkim": [{"result": "pass", "domain": "%s", "selector": "s1"}]}
                            """.formatted(
                    domain, clock.instant().getEpochSecond(), i, domain, 10 + i % 3, domain, domain, domain, domain));
        }
        body.append(']');
        DynamoDbResultStore store = new DynamoDbResultStore(reports.client(), reports.name(), candidates.name(), clock);
        IngestService service = new IngestService(
                new DmarcEvaluator(zone), store, new AggregateEnvironment(env::get).settings(), clock);
        ApiResponse response = service.handle(
                new ApiRequest(body.toString().getBytes(StandardCharsets.UTF_8), IngestService.JSON, null));
        if (response.status() != 200) {
            throw new IllegalStateException("ingest answered " + response.status() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /**
     * The messages visible on the work queue now, up to 10 (one ReceiveMessage, as one batch of the
     * event source; the tests queue fewer). Each receive counts towards maxReceiveCount.
     */
    List<Message> receive() {
        return sqs.receiveMessage(
                        b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0))
                .messages();
    }

    static SQSEvent event(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setEventSource("aws:sqs");
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /**
     * What Lambda's event source does with one batch: calls the worker, then deletes every message
     * it did not list as a failure. Answers the failed message ids.
     */
    List<String> deliver(ReportWorkerHandler worker, List<Message> messages) {
        SQSBatchResponse response = worker.handleRequest(event(messages), null);
        List<String> failed = response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return failed;
    }

    /** As if the retry time had come: the messages become visible again at once. */
    void showAgain(List<Message> messages) {
        for (Message m : messages) {
            sqs.changeMessageVisibility(
                    b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        }
    }

    /** Every raw message moto's SES took, with its envelope recipient. */
    List<SentReport> sent() throws Exception {
        List<SentReport> found = new ArrayList<>();
        for (MotoSes.RawMessage m : MotoSes.sent()) {
            found.add(SentReport.of(m.recipient(), m.raw().getBytes(StandardCharsets.UTF_8)));
        }
        return found;
    }

    /** One report as SES got it: envelope recipient, headers, the attachment's name and XML fields. */
    record SentReport(
            String recipient,
            String messageId,
            String to,
            String fileName,
            String reportId,
            long begin,
            long end,
            List<Long> counts,
            String xml) {

        static SentReport of(String recipient, byte[] raw) throws Exception {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
            MimeBodyPart attachment = (MimeBodyPart) ((MimeMultipart) m.getContent()).getBodyPart(1);
            String xml =
                    new String(new GZIPInputStream(attachment.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
            return new SentReport(
                    recipient,
                    m.getMessageID(),
                    m.getHeader("To", ","),
                    attachment.getFileName(),
                    all(xml, "report_id").get(0),
                    Long.parseLong(all(xml, "begin").get(0)),
                    Long.parseLong(all(xml, "end").get(0)),
                    all(xml, "count").stream().map(Long::parseLong).toList(),
                    xml);
        }

        long messages() {
            return counts.stream().mapToLong(Long::longValue).sum();
        }

        private static List<String> all(String xml, String tag) {
            Matcher m = Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(xml);
            List<String> out = new ArrayList<>();
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }
    }

    @Override
    public void close() {
        reports.close();
        candidates.close();
        sqs.close();
    }
}
