package org.dmarcreporter.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dmarcreporter.aws.ses.SesTransport;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.RequestCounter;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.DeliveryState;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.ReportedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.RowPage;
import org.dmarcreporter.core.report.run.ReportLedger.WindowPage;
import org.dmarcreporter.core.report.run.RunOptions;
import org.dmarcreporter.core.report.run.RunRequest;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.Retention;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;

/** The DynamoDB ledger's own promises against moto: item layout, shard paging, no Scan, exact counts. */
class DynamoDbReportLedgerTest {

    /** 2025-12-01T00:00:00Z. */
    private static final long T0 = 1764547200L;

    private static final long DAY = 86_400L;
    private static final long TTL = Retention.REPORT_DATA.toSeconds();

    private final MutableClock ingestClock = new MutableClock(Instant.ofEpochSecond(T0));
    private final MutableClock runClock = new MutableClock(Instant.ofEpochSecond(T0 + DAY + 120));
    private final RequestCounter requests = new RequestCounter();
    private final List<SdkRequest> sent = new CopyOnWriteArrayList<>();
    private MotoTables tables;
    private DynamoDbResultStore store;
    private DynamoDbReportLedger ledger;

    @BeforeEach
    void open() {
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                sent.add(context.request());
            }
        };
        tables = new MotoTables(requests, recorder);
        store = tables.store(ingestClock);
        ledger = new DynamoDbReportLedger(tables.client, tables.reports.name(), runClock);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (tables != null) {
            tables.close();
        }
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return AwsTestEndpoint.dynamoDb()
                .getItem(b -> b.tableName(tables.reports.name())
                        .consistentRead(true)
                        .key(Map.of(ItemKeys.PK, AttributeValue.fromS(pk), ItemKeys.SK, AttributeValue.fromS(sk))))
                .item();
    }

    private static long num(Map<String, AttributeValue> item, String attribute) {
        return Long.parseLong(item.get(attribute).n());
    }

    /** {@code messages} results spread over {@code rows} rows of the window, stored in batches of 500. */
    private void ingest(ReportingWindow window, int rows, int messages) {
        ingestClock.set(Instant.ofEpochSecond(window.start() + 10));
        List<StoredResult> all =
                StoreFixtures.spread("m-" + window.policyDomain(), window, messages, rows, null, false).stream()
                        .map(r -> new StoredResult(
                                r.messageId(),
                                r.window(),
                                r.row(),
                                record(window.policyDomain()),
                                null,
                                r.requestIndex()))
                        .toList();
        for (int from = 0; from < all.size(); from += 500) {
            List<StoredResult> batch = all.subList(from, Math.min(all.size(), from + 500));
            store.ingest(new IngestBatch(null, new byte[0], batch, false, ingestClock.instant()));
        }
    }

    private static String record(String domain) {
        return "v=DMARC1; p=reject; rua=mailto:rua@" + domain;
    }

    @Test
    void aCutIsKeptAsTheLatestItemIngestReadsAndAsAHistoryItemBothWithExpiry() {
        ledger.writeCut("example.com", T0 + 300);
        ledger.writeCut("example.com", T0 + 200); // a send-now with a clock behind: history only
        ledger.writeCut(null, T0 + 100);

        Map<String, AttributeValue> latest = item("CUT#example.com", "CUT");
        assertThat(num(latest, "cutAt")).isEqualTo(T0 + 300);
        assertThat(num(latest, "expiresAt")).isEqualTo(T0 + 300 + TTL);
        Map<String, AttributeValue> history = item("CUT#example.com", "AT#00" + (T0 + 200));
        assertThat(num(history, "cutAt")).isEqualTo(T0 + 200);
        assertThat(num(history, "expiresAt")).isEqualTo(T0 + 200 + TTL);
        assertThat(num(item("CUT#*", "CUT"), "cutAt")).isEqualTo(T0 + 100);
        assertThat(num(item("CUT#*", "AT#00" + (T0 + 100)), "cutAt")).isEqualTo(T0 + 100);

        assertThat(ledger.cuts("example.com")).containsExactly(T0 + 100, T0 + 200, T0 + 300);
        ingestClock.set(Instant.ofEpochSecond(T0 + 400));
        assertThat(store.latestCut("example.com")).isEqualTo(T0 + 300);
        assertThat(store.latestCut("example.org")).isEqualTo(T0 + 100);
    }

    @Test
    void aLatestCutWithoutHistoryStillCountsAndCutsBeyondRetentionAreNotRead() {
        // A CUT item as written before the history existed (no AT# item).
        AwsTestEndpoint.dynamoDb()
                .putItem(b -> b.tableName(tables.reports.name())
                        .item(Map.of(
                                "pk", AttributeValue.fromS("CUT#example.com"),
                                "sk", AttributeValue.fromS("CUT"),
                                "cutAt", AttributeValue.fromN(Long.toString(T0 + 500)))));
        ledger.writeCut("example.com", T0 + DAY + 60 - TTL - 1); // older than REPORT_DATA at run time

        assertThat(ledger.cuts("example.com")).containsExactly(T0 + 500);
    }

    @Test
    void deliveryStatesAndTheReportedMarkerAreItemsOfTheirWindowWithItsExpiry() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, 2, 4);
        ledger.recordDelivery(w, "a@example.com", new DeliveryState.Sent(T0 + DAY + 70, 1));
        ledger.recordDelivery(w, "b@example.com", new DeliveryState.Failed("451 later", 2, T0 + DAY + 900));
        ledger.recordDelivery(w, "mailto:c@vendor.example", new DeliveryState.GivenUp("550 no", 5));

        Map<String, AttributeValue> a = item("DELIVERY#example.com#" + T0, "a@example.com");
        assertThat(a.get("state").s()).isEqualTo("sent");
        assertThat(num(a, "sentAt")).isEqualTo(T0 + DAY + 70);
        assertThat(num(a, "attempts")).isEqualTo(1);
        assertThat(num(a, "expiresAt")).isEqualTo(T0 + TTL);
        Map<String, AttributeValue> b = item("DELIVERY#example.com#" + T0, "b@example.com");
        assertThat(b.get("state").s()).isEqualTo("failed");
        assertThat(b.get("reason").s()).isEqualTo("451 later");
        assertThat(num(b, "nextRetry")).isEqualTo(T0 + DAY + 900);
        assertThat(item("DELIVERY#example.com#" + T0, "mailto:c@vendor.example")
                        .get("state")
                        .s())
                .isEqualTo("given-up");
        assertThat(ledger.deliveries(w))
                .containsEntry("mailto:c@vendor.example", new DeliveryState.GivenUp("550 no", 5));

        String indexPk = ItemKeys.windowPk("example.com");
        assertThat(item(indexPk, "example.com#" + T0)).isNotEmpty();
        ReportedWindow marker = new ReportedWindow("r-1", T0, T0 + DAY - 1, T0 + DAY + 80, "reported");
        assertThat(ledger.markReported(w, marker)).isTrue();

        Map<String, AttributeValue> m = item("REPORTED#example.com#" + T0, "REPORTED");
        assertThat(m.get("reportId").s()).isEqualTo("r-1");
        assertThat(num(m, "begin")).isEqualTo(T0);
        assertThat(num(m, "end")).isEqualTo(T0 + DAY - 1);
        assertThat(num(m, "reportedAt")).isEqualTo(T0 + DAY + 80);
        assertThat(m.get("outcome").s()).isEqualTo("reported");
        assertThat(num(m, "expiresAt")).isEqualTo(T0 + TTL);
        assertThat(item(indexPk, "example.com#" + T0)).isEmpty();
        // The counters stay until their TTL: a late reader of the marker can still tell what was sent.
        assertThat(tables.counts("ROW#example.com#" + T0)).hasSize(2);

        assertThat(ledger.markReported(w, new ReportedWindow("r-2", 0, 0, 0, "again")))
                .isFalse();
        assertThat(item("REPORTED#example.com#" + T0, "REPORTED")
                        .get("reportId")
                        .s())
                .isEqualTo("r-1");
    }

    @Test
    void theIndexIsReadShardByShardInSmallPagesEachWindowOnce() {
        Set<ReportingWindow> expected = new HashSet<>();
        Set<String> shardsWithData = new HashSet<>();
        for (int d = 0; d < 40; d++) {
            ReportingWindow w = new ReportingWindow("d" + d + ".example", T0);
            ingest(w, 1, 1);
            expected.add(w);
            shardsWithData.add(ItemKeys.windowPk(w.policyDomain()));
        }
        assertThat(shardsWithData).hasSizeGreaterThan(10);

        for (int size : new int[] {1, 3, 7}) {
            sent.clear();
            List<ReportingWindow> seen = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                WindowPage page = ledger.unreportedWindows(null, token, size);
                assertThat(page.windows()).hasSizeLessThanOrEqualTo(size);
                page.windows().forEach(w -> seen.add(w.window()));
                token = page.nextPageToken();
                pages++;
            } while (token != null);
            assertThat(seen).hasSize(40).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(pages).isGreaterThanOrEqualTo(40 / size);
            Set<String> queried = new HashSet<>();
            for (SdkRequest r : sent) {
                QueryRequest q = (QueryRequest) r;
                assertThat(q.limit()).isLessThanOrEqualTo(size);
                assertThat(q.consistentRead()).isTrue();
                queried.add(q.expressionAttributeValues().get(":pk").s());
            }
            assertThat(queried).hasSize(16);
        }

        sent.clear();
        WindowPage all = ledger.unreportedWindows(null, null, 1000);
        assertThat(all.windows()).hasSize(40);
        assertThat(all.nextPageToken()).isNull();
        assertThat(sent).hasSize(16);
    }

    @Test
    void oneDomainsWindowsAreReadFromItsShardOnlyWithItsPrefix() {
        for (int day = 0; day < 3; day++) {
            ingest(new ReportingWindow("example.com", T0 + day * DAY), 1, 1);
            ingest(new ReportingWindow("example.com.other", T0 + day * DAY), 1, 1);
        }
        for (int d = 0; d < 20; d++) {
            ingest(new ReportingWindow("d" + d + ".example", T0), 1, 1);
        }
        sent.clear();
        List<IndexedWindow> seen = new ArrayList<>();
        String token = null;
        do {
            WindowPage page = ledger.unreportedWindows("example.com", token, 1);
            seen.addAll(page.windows());
            token = page.nextPageToken();
        } while (token != null);

        assertThat(seen)
                .extracting(IndexedWindow::window)
                .containsExactly(
                        new ReportingWindow("example.com", T0),
                        new ReportingWindow("example.com", T0 + DAY),
                        new ReportingWindow("example.com", T0 + 2 * DAY));
        assertThat(seen.get(0).policyRecord()).isEqualTo(record("example.com"));
        assertThat(sent).isNotEmpty().allSatisfy(r -> {
            QueryRequest q = (QueryRequest) r;
            assertThat(q.keyConditionExpression()).isEqualTo("#pk = :pk AND begins_with(#sk, :prefix)");
            assertThat(q.expressionAttributeValues().get(":pk").s()).isEqualTo(ItemKeys.windowPk("example.com"));
            assertThat(q.expressionAttributeValues().get(":prefix").s()).isEqualTo("example.com#");
        });
        assertThat(sent.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void aTokenThatIsNotOursIsRefused() {
        String token = Base64.getUrlEncoder().encodeToString("zz|x".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ledger.unreportedWindows(null, token, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.unreportedWindows(null, "%%%", 10))
                .isInstanceOf(IllegalArgumentException.class);
        int other = (ItemKeys.windowShard("example.com") + 1) % 16;
        String foreign = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(String.format("%02x", other).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ledger.unreportedWindows("example.com", foreign, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.rows(new ReportingWindow("example.com", T0), "not/a/row/key", 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.rows(new ReportingWindow("example.com", T0), null, 1001))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowsReadBackWithTheExactCountsIngestStoredPageByPage() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, 7, 1_000);
        ingest(new ReportingWindow("example.com", T0 + DAY), 3, 10);

        Map<AggregateRow, Long> expected = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            expected.merge(StoreFixtures.row("example.com", i % 7), 1L, Long::sum);
        }
        sent.clear();
        Map<AggregateRow, Long> read = new HashMap<>();
        String token = null;
        do {
            RowPage page = ledger.rows(w, token, 2);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2);
            for (CountedRow r : page.rows()) {
                assertThat(read.put(r.row(), r.count())).isNull();
            }
            token = page.nextPageToken();
        } while (token != null);
        assertThat(read).isEqualTo(expected);
        assertThat(sent)
                .hasSizeBetween(4, 5)
                .allSatisfy(r -> assertThat(((QueryRequest) r)
                                .expressionAttributeValues()
                                .get(":pk")
                                .s())
                        .isEqualTo("ROW#example.com#" + T0));
    }

    @Test
    void aRunOverIngestedDataSendsThroughSesReadsExactCountsAndNeverScans() {
        SesV2Client ses = AwsTestEndpoint.clients()
                .configure(SesV2Client.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(requests))
                .build();
        try {
            ses.createEmailIdentity(b -> b.emailIdentity("reporter.example"));
        } catch (AlreadyExistsException e) {
            // verified by an earlier test on this moto
        }
        ingest(new ReportingWindow("example.com", T0), 7, 1_000);
        ingest(new ReportingWindow("example.org", T0), 3, 30);
        requests.reset();

        AggregateRun run = run(ses, RunOptions.defaults("reporter.example"));
        RunSummary summary = run.run(RunRequest.midnight(), null);
        ses.close();

        assertThat(summary.reports())
                .extracting(r -> r.domain() + " " + r.status() + " " + r.rows() + " " + r.messages())
                .containsExactly("example.com reported 7 1000", "example.org reported 3 30");
        assertThat(requests.calls("Scan")).isZero();
        assertThat(requests.calls("SendEmail")).isEqualTo(2);
        // 16 index shards; per window: cuts (2), marker check, deliveries, rows, a delivery put, the mark.
        assertThat(requests.calls("Query", "WINDOW")).isEqualTo(16);
        assertThat(requests.calls("Query", "ROW")).isEqualTo(2);
        assertThat(requests.calls("Query", "CUT")).isEqualTo(4);
        assertThat(requests.calls("GetItem", "REPORTED")).isEqualTo(2);
        assertThat(requests.calls("PutItem", "DELIVERY")).isEqualTo(2);
        assertThat(requests.calls("TransactWriteItems")).isEqualTo(2);
        assertThat(ledger.unreportedWindows(null, null, 10).windows()).isEmpty();
        assertThat(ledger.reported(new ReportingWindow("example.org", T0)))
                .map(ReportedWindow::outcome)
                .contains("reported");

        requests.reset();
        assertThat(run.run(RunRequest.midnight(), null).reports()).isEmpty();
        assertThat(requests.calls("SendEmail")).isZero();
        assertThat(requests.byOperation()).containsOnlyKeys("Query");
    }

    @Test
    void aRunWithPagesOfOneReportsEveryWindowWhileItsMarksDeleteTheEntriesBehindItsToken() {
        SesV2Client ses = AwsTestEndpoint.clients().sesV2();
        try {
            ses.createEmailIdentity(b -> b.emailIdentity("reporter.example"));
        } catch (AlreadyExistsException e) {
            // verified by an earlier test on this moto
        }
        List<String> domains = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            domains.add("d" + d + ".example");
            ingest(new ReportingWindow("d" + d + ".example", T0), 2, 3);
        }
        ingest(new ReportingWindow("d0.example", T0 + DAY), 1, 1);
        runClock.set(Instant.ofEpochSecond(T0 + 2 * DAY + 120));

        RunSummary summary = run(ses, RunOptions.defaults("reporter.example").withPageSize(1))
                .run(RunRequest.midnight(), null);
        ses.close();

        assertThat(summary.reports())
                .extracting(r -> r.domain() + "@" + (r.windowStart() - T0) + " " + r.status() + " " + r.messages())
                .containsExactlyInAnyOrder(
                        "d0.example@0 reported 3",
                        "d0.example@86400 reported 1",
                        "d1.example@0 reported 3",
                        "d2.example@0 reported 3",
                        "d3.example@0 reported 3",
                        "d4.example@0 reported 3",
                        "d5.example@0 reported 3");
        assertThat(ledger.unreportedWindows(null, null, 10).windows()).isEmpty();
    }

    /** A run over {@link #ledger}, sending through {@code ses} as reporter.example, at {@link #runClock}. */
    private AggregateRun run(SesV2Client ses, RunOptions options) {
        return new AggregateRun(
                ledger,
                new ReportDestinations(ZoneFileResolver.fromText("")),
                new SesTransport(ses),
                SettingsReader.read(Map.of(
                        "orgName", "reporter.example",
                        "contactEmail", "dmarc@reporter.example",
                        "returnPath", "bounces@reporter.example")),
                options,
                runClock,
                d -> {});
    }
}
