package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.report.delivery.RecordingMailTransport;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.run.DeliveryState;
import org.dmarcreporter.core.report.run.InMemoryReportLedger;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.RunSummary.DateRange;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The worker's answer per message, without AWS: in-memory ledger, recording transport. */
class ReportWorkerHandlerTest {

    static final long DAY = ReportingWindows.DAY_SECONDS;
    static final long T0 = 1764547200L;
    static final String RECORD = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

    final InMemoryReportLedger ledger = new InMemoryReportLedger();
    final RecordingMailTransport transport = new RecordingMailTransport();
    final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0 + DAY + 120));
    // Never called: no message here has a receipt handle to change.
    final SqsClient sqs = SqsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create("http://127.0.0.1:9"))
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .build();

    ReportWorkerHandler worker() {
        return worker(ledger);
    }

    ReportWorkerHandler worker(ReportLedger ledger) {
        Map<String, String> env = Map.of(
                "ORG_NAME", "reporter.example",
                "CONTACT_EMAIL", "dmarc-contact@reporter.example",
                "REPORTS_TABLE", "unused",
                "WORK_QUEUE_URL", "http://127.0.0.1:9/queue/work",
                "SENDS_PER_SECOND", "1000");
        return new ReportWorkerHandler(ReportFunctions.fromEnvironment(
                env::get,
                ledger,
                transport,
                sqs,
                ZoneFileResolver.fromText(
                        "$ORIGIN .\n_dmarc.example.com. 300 TXT \"" + RECORD.replace("\"", "") + "\"\n"),
                clock,
                clock::advance));
    }

    void add(String domain, long start) {
        AggregateRow row = new AggregateRow(
                "192.0.2.1",
                domain,
                domain,
                ReportedDisposition.PASS,
                true,
                true,
                List.of(),
                List.of(new DkimAuth(domain, "s1", "pass")),
                new SpfAuth(domain, "mfrom", "pass"));
        ledger.add(new ReportingWindow(domain, start), RECORD, row.key(), new CountedRow(row, 3));
    }

    static SQSEvent event(String... bodies) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m" + i);
            m.setBody(bodies[i]);
            records.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    static String body(String domain, long start) {
        return WorkItem.toBody(new IndexedWindow(new ReportingWindow(domain, start), RECORD));
    }

    @Test
    void aReportedWindowIsDoneAndAWindowNotSettledYetIsKept() {
        add("example.com", T0);
        add("example.com", T0 + DAY); // still open

        SQSBatchResponse response =
                worker().handleRequest(event(body("example.com", T0), body("example.com", T0 + DAY)), null);

        assertThat(failed(response)).containsExactly("m1");
        assertThat(transport.receivedBy("dmarc@example.com")).hasSize(1);
        assertThat(ledger.reported(new ReportingWindow("example.com", T0))).isPresent();
    }

    @Test
    void aDuplicateMessageOfAReportedWindowIsDoneWithoutSendingAgain() {
        add("example.com", T0);
        ReportWorkerHandler worker = worker();

        assertThat(failed(worker.handleRequest(event(body("example.com", T0), body("example.com", T0)), null)))
                .isEmpty();

        assertThat(transport.receivedBy("dmarc@example.com")).hasSize(1);
    }

    @Test
    void aWindowWhoseRecipientFailedIsKeptForItsRetry() {
        add("example.com", T0);
        transport.fail(
                "dmarc@example.com",
                new org.dmarcreporter.core.report.delivery.DeliveryOutcome.TemporaryFailure("451 later"));

        assertThat(failed(worker().handleRequest(event(body("example.com", T0)), null)))
                .containsExactly("m0");
        assertThat(ledger.reported(new ReportingWindow("example.com", T0))).isEmpty();
        assertThat(ledger.unreportedCount()).isEqualTo(1);
    }

    @Test
    void poisonIsKeptAndTheRestOfTheBatchStillRuns() {
        add("example.com", T0);

        SQSBatchResponse response = worker().handleRequest(event("{}", body("example.com", T0), "\u0000"), null);

        assertThat(failed(response)).containsExactly("m0", "m2");
        assertThat(transport.receivedBy("dmarc@example.com")).hasSize(1);
    }

    @Test
    void aWindowWhoseStoreFailsIsKeptAndTheOthersAreReported() {
        add("example.com", T0);
        add("example.org", T0);
        ReportLedger failingRows = new ReportLedger() {
            @Override
            public WindowPage unreportedWindows(String policyDomain, String pageToken, int pageSize) {
                return ledger.unreportedWindows(policyDomain, pageToken, pageSize);
            }

            @Override
            public RowPage rows(ReportingWindow window, String pageToken, int pageSize) {
                return ledger.rows(window, pageToken, pageSize);
            }

            @Override
            public List<Long> cuts(String policyDomain) {
                return ledger.cuts(policyDomain);
            }

            @Override
            public void writeCut(String policyDomain, long at) {
                ledger.writeCut(policyDomain, at);
            }

            @Override
            public Map<String, DeliveryState> deliveries(ReportingWindow window) {
                if (window.policyDomain().equals("example.org")) {
                    throw new IllegalStateException("DynamoDB Query (deliveries) failed: throttled");
                }
                return ledger.deliveries(window);
            }

            @Override
            public void recordDelivery(ReportingWindow window, String recipient, DeliveryState state) {
                ledger.recordDelivery(window, recipient, state);
            }

            @Override
            public boolean markReported(ReportingWindow window, ReportedWindow marker) {
                return ledger.markReported(window, marker);
            }

            @Override
            public Optional<ReportedWindow> reported(ReportingWindow window) {
                return ledger.reported(window);
            }

            @Override
            public boolean takeLease(ReportingWindow window, String holder, long now, long until) {
                return ledger.takeLease(window, holder, now, until);
            }

            @Override
            public void releaseLease(ReportingWindow window, String holder) {
                ledger.releaseLease(window, holder);
            }
        };

        SQSBatchResponse response =
                worker(failingRows).handleRequest(event(body("example.org", T0), body("example.com", T0)), null);

        assertThat(failed(response)).containsExactly("m0");
        assertThat(ledger.reported(new ReportingWindow("example.com", T0))).isPresent();
        assertThat(ledger.reported(new ReportingWindow("example.org", T0))).isEmpty();
    }

    @Test
    void anEmptyEventAnswersNoFailures() {
        assertThat(failed(worker().handleRequest(new SQSEvent(), null))).isEmpty();
    }

    @Test
    void aWindowAnotherRunIsReportingIsKeptAndNothingIsSent() {
        add("example.com", T0);
        ReportingWindow w = new ReportingWindow("example.com", T0);
        long now = clock.instant().getEpochSecond();
        ledger.takeLease(w, "send-now", now, now + 900);

        assertThat(failed(worker().handleRequest(event(body("example.com", T0)), null)))
                .containsExactly("m0");
        assertThat(transport.receivedBy("dmarc@example.com")).isEmpty();
        assertThat(ledger.reported(w)).isEmpty();
    }

    @Test
    void theLogLineOfAWindowNamesItsReportAndEachRecipientsOutcome() {
        WindowReport report = new WindowReport(
                "example.com",
                T0,
                T0 + DAY,
                "1764547200-example.com@reporter.example",
                new DateRange(T0, T0 + DAY - 1),
                "pending",
                null,
                1L,
                3L,
                400L,
                List.of(
                        new RecipientReport("dmarc@example.com", "mailto:dmarc@example.com", "sent", null, 1, null),
                        new RecipientReport(
                                "gone@example.net",
                                "mailto:gone@example.net",
                                "given-up",
                                "550 5.1.1 no such user",
                                1,
                                null),
                        new RecipientReport(
                                "slow@example.org",
                                "mailto:slow@example.org",
                                "failed",
                                "451 later",
                                1,
                                T0 + DAY + 900),
                        new RecipientReport(null, "mailto:x@other.example", "skipped", "not authorized", null, null)));

        assertThat(ReportWorkerHandler.logLine(report))
                .isEqualTo("example.com window 1764547200 report 1764547200-example.com@reporter.example: pending;"
                        + " dmarc@example.com sent; gone@example.net given-up (550 5.1.1 no such user);"
                        + " slow@example.org failed (451 later), next retry 1764634500;"
                        + " mailto:x@other.example skipped (not authorized)");
    }
}
