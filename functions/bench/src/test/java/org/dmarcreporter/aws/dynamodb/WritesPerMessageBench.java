package org.dmarcreporter.aws.dynamodb;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.RowIncrement;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;

/**
 * DynamoDB item writes (and estimated WCU) per message for one batch of 500 results from 50
 * source IPs, with {@code dedupeMessageIds} off and on, with and without an Idempotency-Key.
 * Run by {@code scripts/bench-dynamodb-writes} against moto ({@code DMARC_AWS_ENDPOINT}).
 *
 * <p>The batch: three domains (example.com 60 % of the IPs, p=reject; example.org 30 %, p=none;
 * example.net 10 %, with ruf and fo=1); 40 IPs are the domains' own servers (aligned pass), 5 are
 * mailing-list forwarders (half the messages pass, half break DKIM and fail), 5 are forgers (fail).
 * That gives 55 distinct rows; failing example.net messages also become failure candidates.
 * Goals: under 0.2 writes per message with de-dup off, under 1.2 with it on.
 */
public final class WritesPerMessageBench {

    static final int MESSAGES = 500;
    static final int SOURCE_IPS = 50;
    private static final Instant NOW = Instant.parse("2026-11-27T10:15:00Z");
    private static final String[] DOMAINS = {"example.com", "example.org", "example.net"};
    private static final String[] RECORDS = {
        "v=DMARC1; p=reject; rua=mailto:agg@example.com",
        "v=DMARC1; p=none; rua=mailto:agg@example.org",
        "v=DMARC1; p=quarantine; rua=mailto:agg@example.net; ruf=mailto:fail@example.net; fo=1"
    };

    private WritesPerMessageBench() {}

    public static void main(String[] args) {
        if (!AwsTestEndpoint.available()) {
            System.err.println("DMARC_AWS_ENDPOINT is not set: run scripts/bench-dynamodb-writes (it starts moto)");
            System.exit(2);
        }
        List<StoredResult> batch = batch();
        System.out.printf(
                Locale.ROOT,
                "batch: %d results, %d source IPs, %d domains, %d distinct rows, %d failure candidates%n",
                batch.size(),
                SOURCE_IPS,
                DOMAINS.length,
                distinctRows(batch),
                candidates(batch));
        System.out.printf(
                Locale.ROOT,
                "%-42s %6s %7s %8s %10s %9s %9s %8s%n",
                "scenario",
                "calls",
                "items",
                "tx items",
                "writes/msg",
                "WCU/msg",
                "cand.",
                "goal");
        boolean allMet = true;
        allMet &= run("dedupeMessageIds=false", batch, false, null, 0.2);
        allMet &= run("dedupeMessageIds=true", batch, true, null, 1.2);
        allMet &= run("dedupeMessageIds=false + Idempotency-Key", batch, false, "bench-key-1", Double.NaN);
        allMet &= run("dedupeMessageIds=true + Idempotency-Key", batch, true, "bench-key-2", Double.NaN);
        System.out.println();
        System.out.println("writes = items written by successful calls (PutItem/UpdateItem 1 each, TransactWriteItems");
        System.out.println(
                "one per item); 'tx items' are the transactional ones (2 WCU each); WCU estimated from item");
        System.out.println(
                "sizes (ceil(bytes/1KB) per item, x2 in transactions); the Idempotency-Key rows include the");
        System.out.println(
                "claim PutItem and the completing UpdateItem; 'cand.' = failure-candidate puts among the items.");
        System.out.println(allMet ? "goals met" : "GOAL MISSED");
        System.exit(allMet ? 0 : 1);
    }

    private static boolean run(String name, List<StoredResult> results, boolean dedupe, String key, double goal) {
        try (MotoTables tables = new MotoTables();
                DynamoDbResultStore store = tables.store(Clock.fixed(NOW, ZoneOffset.UTC))) {
            IngestOutcome outcome =
                    store.ingest(new IngestBatch(key, "[]".getBytes(StandardCharsets.UTF_8), results, dedupe, NOW));
            WriteCounter c = tables.counter;
            if (!(outcome instanceof IngestOutcome.Stored stored) || stored.itemWrites() != c.allItems()) {
                throw new IllegalStateException("store and counter disagree: " + outcome + " vs " + c.allItems());
            }
            long total = tables.totalCount();
            if (total != results.size()) {
                throw new IllegalStateException("stored " + total + " messages, expected " + results.size());
            }
            double perMessage = (double) c.allItems() / results.size();
            double wcu = (double) c.wcu() / results.size();
            boolean met = Double.isNaN(goal) || perMessage < goal;
            System.out.printf(
                    Locale.ROOT,
                    "%-42s %6d %7d %8d %10.3f %9.3f %9d %8s%n",
                    name,
                    c.calls(),
                    c.allItems(),
                    c.transactionalItems(),
                    perMessage,
                    wcu,
                    candidates(results),
                    Double.isNaN(goal) ? "-" : (met ? "< " + goal + " ok" : ">= " + goal + " MISSED"));
            System.out.printf(Locale.ROOT, "%-42s calls by operation: %s%n", "", c.callsByOperation());
            return met;
        }
    }

    /** The 500 results, deterministic (fixed seed). */
    static List<StoredResult> batch() {
        long windowStart = ReportingWindows.windowStart(NOW, 0);
        Random random = new Random(20261127);
        List<StoredResult> out = new ArrayList<>(MESSAGES);
        for (int m = 0; m < MESSAGES; m++) {
            int ip = random.nextInt(SOURCE_IPS);
            int d = ip % 10 < 6 ? 0 : ip % 10 < 9 ? 1 : 2;
            String domain = DOMAINS[d];
            boolean forger = ip >= 45;
            boolean forwarder = ip >= 40 && ip < 45;
            boolean pass = !forger && !(forwarder && random.nextBoolean());
            AggregateRow row = row(domain, "192.0.2." + (10 + ip), pass, forger);
            ReportingWindow window = new ReportingWindow(domain, windowStart);
            String messageId = "<" + m + "." + Long.toHexString(random.nextLong()) + "@mail.sender.example>";
            FailureCandidate candidate =
                    !pass && d == 2 ? StoreFixtures.candidate("bench-cand-" + m, messageId, window, NOW) : null;
            out.add(new StoredResult(messageId, window, row, RECORDS[d], candidate, m));
        }
        return out;
    }

    /** A passing row, a forger's (SPF of its own domain, no DKIM) or a list forwarder's. */
    static AggregateRow row(String domain, String ip, boolean pass, boolean forger) {
        if (pass) {
            return new AggregateRow(
                    ip,
                    domain,
                    domain,
                    ReportedDisposition.PASS,
                    true,
                    true,
                    List.of(),
                    List.of(new DkimAuth(domain, "s2026", "pass")),
                    new SpfAuth(domain, "mfrom", "pass"));
        }
        if (forger) {
            return new AggregateRow(
                    ip,
                    domain,
                    "bounce.forger.test",
                    ReportedDisposition.REJECT,
                    false,
                    false,
                    List.of(),
                    List.of(),
                    new SpfAuth("bounce.forger.test", "mfrom", "pass"));
        }
        // A list forwarder: the list rewrote the body (DKIM fails) and relays from its own IP.
        return new AggregateRow(
                ip,
                domain,
                "lists.example",
                ReportedDisposition.REJECT,
                false,
                false,
                List.of(),
                List.of(new DkimAuth(domain, "s2026", "fail"), new DkimAuth("lists.example", "l1", "pass")),
                new SpfAuth("lists.example", "mfrom", "pass"));
    }

    private static int distinctRows(List<StoredResult> results) {
        Set<String> rows = new HashSet<>();
        results.forEach(r -> rows.add(RowIncrement.identity(r)));
        return rows.size();
    }

    private static long candidates(List<StoredResult> results) {
        return results.stream().filter(r -> r.failureCandidate() != null).count();
    }
}
