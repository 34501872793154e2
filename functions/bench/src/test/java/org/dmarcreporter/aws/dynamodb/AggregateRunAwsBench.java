package org.dmarcreporter.aws.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dmarcreporter.aws.ses.SesTransport;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.RequestCounter;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.RunOptions;
import org.dmarcreporter.core.report.run.RunRequest;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;

/**
 * DynamoDB requests (by operation and item kind), items and read units, and SES calls of the
 * aggregate run on AWS, per report: data ingested through {@link DynamoDbResultStore}, reported by
 * {@link AggregateRun} over {@link DynamoDbReportLedger} and {@link SesTransport}, all against moto
 * ({@code DMARC_AWS_ENDPOINT}). Run by {@code scripts/bench-aggregate-aws}. Requests are counted
 * by a client interceptor ({@link RequestCounter}), read units estimated from the items returned.
 *
 * <p>Goal: reads per report grow with rows and windows, never with messages or with other
 * domains; a one-domain send-now reads one index shard. Exits non-zero when a goal is missed.
 */
public final class AggregateRunAwsBench {

    private static final long DAY = 86_400L;
    /** 2026-11-27T00:00:00Z. */
    private static final long DAY0 = 1_795_737_600L;

    /** Distinct rows per ingest batch (see {@link #ingest}). */
    private static final int ROWS_PER_BATCH = 10;

    private AggregateRunAwsBench() {}

    /**
     * One workload: domains × windows × rows, messages per row, reported by the midnight run; with
     * {@code sendNowFirst}, a send-now for one domain (d7) runs first on the same data, in its
     * open window, and the midnight run then reports the others.
     */
    record Workload(String name, int domains, int windows, int rows, int messagesPerRow, boolean sendNowFirst) {}

    record Figures(
            String name,
            Workload workload,
            int reports,
            long rowsPerReport,
            long messagesPerReport,
            long indexQueries,
            double indexUnits,
            Map<String, Long> perRun,
            long readRequests,
            long itemsRead,
            double readUnits,
            long writeRequests,
            long sesCalls) {

        double perReport(long total) {
            return (double) total / reports;
        }
    }

    public static void main(String[] args) {
        if (!AwsTestEndpoint.available()) {
            System.err.println("DMARC_AWS_ENDPOINT is not set: run scripts/bench-aggregate-aws (it starts moto)");
            System.exit(2);
        }
        // moto copies a table once per item of every transaction, so ingest there grows with the
        // square of the rows stored: the large workloads are as large as needed, no larger.
        List<Workload> workloads = List.of(
                new Workload("1 domain, 10 rows x 1 msg", 1, 1, 10, 1, false),
                new Workload("1 domain, 10 rows x 1,000 msgs", 1, 1, 10, 1_000, false),
                new Workload("1 domain, 600 rows x 1 msg", 1, 1, 600, 1, false),
                new Workload("1 domain, 2 windows, 10 rows each", 1, 2, 10, 1, false),
                new Workload("1 domain, 3 rows x 10 msgs", 1, 1, 3, 10, false),
                new Workload("100 domains, 3 rows x 10 msgs each", 100, 1, 3, 10, true));
        List<Figures> all = new ArrayList<>();
        for (Workload w : workloads) {
            long started = System.nanoTime();
            all.addAll(run(w));
            System.err.printf(Locale.ROOT, "%s: done in %.1f s%n", w.name(), (System.nanoTime() - started) / 1e9);
        }
        print(all);
        boolean ok = goals(all);
        System.out.println(ok ? "goals met" : "GOAL MISSED");
        System.exit(ok ? 0 : 1);
    }

    private static List<Figures> run(Workload w) {
        // Fresh tables for each workload (deleted after it); SES keeps its identity.
        RequestCounter counter = new RequestCounter();
        SesV2Client ses = AwsTestEndpoint.clients()
                .configure(SesV2Client.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter))
                .build();
        try (MotoTables tables = new MotoTables(counter)) {
            try {
                ses.createEmailIdentity(b -> b.emailIdentity("reporter.example"));
            } catch (AlreadyExistsException e) {
                // verified already
            }
            MutableClock clock = new MutableClock(Instant.ofEpochSecond(DAY0));
            try (DynamoDbResultStore store = tables.store(clock)) {
                long started = System.nanoTime();
                ingest(store, clock, w);
                System.err.printf(
                        Locale.ROOT, "%s: ingested in %.1f s%n", w.name(), (System.nanoTime() - started) / 1e9);
            }
            AggregateRun aggregate = new AggregateRun(
                    new DynamoDbReportLedger(tables.client, tables.reports.name(), clock),
                    new ReportDestinations(ZoneFileResolver.fromText("")),
                    new SesTransport(ses),
                    SettingsReader.read(Map.of(
                            "orgName", "reporter.example",
                            "contactEmail", "dmarc@reporter.example",
                            "returnPath", "bounces@reporter.example")),
                    RunOptions.defaults("reporter.example"),
                    clock,
                    clock::advance);
            List<Figures> out = new ArrayList<>();
            if (w.sendNowFirst()) {
                clock.set(Instant.ofEpochSecond(DAY0 + 12 * 3_600));
                counter.reset();
                RunSummary summary = aggregate.run(RunRequest.sendNow("d7.example"), null);
                out.add(figures("100 domains x 3 rows: send-now, d7", w, 1, summary, counter));
            }
            clock.set(Instant.ofEpochSecond(DAY0 + w.windows() * DAY + 120));
            counter.reset();
            RunSummary summary = aggregate.run(RunRequest.midnight(), null);
            int expected = w.domains() * w.windows() - (w.sendNowFirst() ? 1 : 0);
            out.add(figures(
                    w.sendNowFirst() ? "100 domains x 3 rows: midnight, the 99" : w.name(),
                    w,
                    expected,
                    summary,
                    counter));
            return out;
        } finally {
            ses.close();
        }
    }

    /**
     * Every result of the workload, in batches of at most 500 results and 10 distinct rows (a
     * batch may span windows and domains, as a mail server's would): moto copies its tables for
     * each transaction, so a transaction of many counters over a large table can take longer than
     * the client's 10 s socket timeout there. The counts stored are the same either way.
     */
    private static void ingest(DynamoDbResultStore store, MutableClock clock, Workload w) {
        List<StoredResult> batch = new ArrayList<>();
        int rowsInBatch = 0;
        for (int d = 0; d < w.domains(); d++) {
            String domain = "d" + d + ".example";
            String record = "v=DMARC1; p=reject; rua=mailto:rua@" + domain;
            for (int day = 0; day < w.windows(); day++) {
                ReportingWindow window = new ReportingWindow(domain, DAY0 + day * DAY);
                for (int r = 0; r < w.rows(); r++) {
                    if (rowsInBatch == ROWS_PER_BATCH) {
                        store(store, clock, batch);
                        rowsInBatch = 0;
                    }
                    rowsInBatch++;
                    AggregateRow row = row(domain, r);
                    for (int m = 0; m < w.messagesPerRow(); m++) {
                        if (batch.size() == 500) {
                            store(store, clock, batch);
                            rowsInBatch = 1;
                        }
                        batch.add(new StoredResult(null, window, row, record, null, 0));
                    }
                }
            }
        }
        store(store, clock, batch);
    }

    private static void store(DynamoDbResultStore store, MutableClock clock, List<StoredResult> batch) {
        if (!batch.isEmpty()) {
            clock.set(Instant.ofEpochSecond(DAY0 + 3_600));
            store.ingest(new IngestBatch(null, new byte[0], List.copyOf(batch), false, clock.instant()));
            batch.clear();
        }
    }

    /** Row {@code n}: its own source IP; a third fail DMARC (a forger), the rest pass aligned. */
    private static AggregateRow row(String domain, int n) {
        String ip = "10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
        boolean forger = n % 3 == 2;
        return WritesPerMessageBench.row(domain, ip, !forger, forger);
    }

    private static Figures figures(String name, Workload w, int expectedReports, RunSummary summary, RequestCounter c) {
        int reports = 0;
        long rows = 0;
        long messages = 0;
        for (WindowReport r : summary.reports()) {
            if (!"reported".equals(r.status())) {
                throw new IllegalStateException(w.name() + ": " + r.domain() + " " + r.status() + " " + r.reason());
            }
            long expected = (long) w.rows() * w.messagesPerRow();
            if (r.rows() != w.rows() || r.messages() != expected) {
                throw new IllegalStateException(w.name() + ": reported " + r.rows() + " rows, " + r.messages()
                        + " messages; stored " + w.rows() + ", " + expected);
            }
            reports++;
            rows += r.rows();
            messages += r.messages();
        }
        if (reports != expectedReports) {
            throw new IllegalStateException(w.name() + ": " + reports + " reports, expected " + expectedReports);
        }
        if (c.calls("Scan") != 0) {
            throw new IllegalStateException(w.name() + ": a Scan was issued");
        }
        Map<String, Long> perRun = new LinkedHashMap<>(c.byKind());
        for (String op : List.of("TransactWriteItems", "SendEmail")) {
            if (c.calls(op) > 0) {
                perRun.put(op, c.calls(op));
            }
        }
        long index = c.calls("Query", "WINDOW");
        long reads = c.calls("Query") + c.calls("GetItem") + c.calls("BatchGetItem") - index;
        long writes =
                c.calls("PutItem") + c.calls("UpdateItem") + c.calls("DeleteItem") + c.calls("TransactWriteItems");
        return new Figures(
                name,
                w,
                reports,
                rows / reports,
                messages / reports,
                index,
                c.readUnits("WINDOW"),
                perRun,
                reads,
                c.itemsRead() - c.itemsRead("WINDOW"),
                c.readUnits() - c.readUnits("WINDOW"),
                writes,
                c.calls("SendEmail"));
    }

    private static void print(List<Figures> all) {
        System.out.printf(
                Locale.ROOT,
                "%-38s %7s %6s %7s | %7s %9s | %13s %10s %9s %12s %11s%n",
                "workload",
                "reports",
                "rows",
                "msgs",
                "index Q",
                "index RCU",
                "reads/report",
                "items/rep",
                "RCU/rep",
                "writes/rep",
                "SES/report");
        for (Figures f : all) {
            System.out.printf(
                    Locale.ROOT,
                    "%-38s %7d %6d %7d | %7d %9.1f | %13.2f %10.2f %9.2f %12.2f %11.2f%n",
                    f.name(),
                    f.reports(),
                    f.rowsPerReport(),
                    f.messagesPerReport(),
                    f.indexQueries(),
                    f.indexUnits(),
                    f.perReport(f.readRequests()),
                    (double) (f.itemsRead()) / f.reports(),
                    f.readUnits() / f.reports(),
                    f.perReport(f.writeRequests()),
                    f.perReport(f.sesCalls()));
        }
        System.out.println();
        System.out.println("requests of each run, by operation and item kind:");
        for (Figures f : all) {
            System.out.printf(Locale.ROOT, "  %-38s %s%n", f.name(), f.perRun());
        }
        System.out.println();
        System.out.println("rows, msgs: per report; 'index Q', 'index RCU' = Queries of the WINDOW# index and their");
        System.out.println("read units for the whole run (16 shards, or the one domain's shard for a one-domain");
        System.out.println("send-now); reads/report, items/rep, RCU/rep = the other Queries and GetItems (cuts,");
        System.out.println("marker, deliveries, rows) per report; RCU estimated from item sizes (consistent reads:");
        System.out.println("1 unit per 4 KB per request, at least 1); writes/rep =");
        System.out.println(
                "PutItem/UpdateItem/TransactWriteItems/DeleteItem (report lease taken and released, delivery");
        System.out.println(
                "state, marker; a send-now adds its cut, and reads the cuts once before it cuts: 2 Queries);");
        System.out.println("SES/report = SendEmail calls (one per recipient; one rua each here).");
    }

    /**
     * A send-now reads the cuts of its scope once before it cuts (its domain's and the all-domains
     * ones: two Queries), to cut in a fresh second (AggregateRun.afterEarlierCuts): once per run,
     * whatever the number of domains.
     */
    private static final int SEND_NOW_CUT_CHECK = 2;

    /** Reads per report depend on rows and windows only. */
    private static boolean goals(List<Figures> all) {
        Figures small = all.get(0);
        Figures manyMessages = all.get(1);
        Figures manyRows = all.get(2);
        Figures twoWindows = all.get(3);
        Figures threeRows = all.get(4);
        Figures sendNow = all.get(5);
        Figures manyDomains = all.get(6);
        boolean ok = true;
        ok &= check(
                "messages add no reads",
                manyMessages.readRequests() == small.readRequests() && manyMessages.readUnits() == small.readUnits());
        ok &= check("rows add reads (pages of 500)", manyRows.readRequests() > small.readRequests());
        ok &= check(
                "a second window costs one more report's reads", twoWindows.readRequests() == 2 * small.readRequests());
        ok &= check(
                "other domains add no reads to a report",
                manyDomains.perReport(manyDomains.readRequests()) == threeRows.perReport(threeRows.readRequests())
                        && sendNow.readRequests() == threeRows.readRequests() + SEND_NOW_CUT_CHECK);
        ok &= check("a one-domain send-now reads one index shard", sendNow.indexQueries() == 1);
        ok &= check("the midnight run reads the 16 shards once", manyDomains.indexQueries() == 16);
        return ok;
    }

    private static boolean check(String what, boolean met) {
        System.out.println((met ? "ok      " : "MISSED  ") + what);
        return met;
    }
}
