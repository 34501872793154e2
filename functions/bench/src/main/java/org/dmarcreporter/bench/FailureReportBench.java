package org.dmarcreporter.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.arf.ArfMessage;
import org.dmarcreporter.core.report.arf.LocalPartRedactor;
import org.dmarcreporter.core.report.arf.Privacy;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.dispatch.DispatchResult;
import org.dmarcreporter.core.report.dispatch.FailureDispatcher;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;
import org.dmarcreporter.core.report.dispatch.InMemoryFailureLedger;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.routing.FailureReportPlan;
import org.dmarcreporter.core.report.routing.FailureReportPlanner;
import org.dmarcreporter.core.report.routing.PlannedReport;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * Failure reports built per second on one thread: for each of N distinct candidates (a forged
 * message with a 1.3 KB header block, fo=1:d:s matched), plan the reports (ruf verification,
 * RFC 6651/6652 records; DNS from zone text, as a warm cache would answer) and compose every one
 * into MIME bytes. Prints reports per second and CPU time per report. Goal: at least 5,000
 * reports per second.
 *
 * <p>With {@code dispatch} as the fourth argument, each candidate goes through the whole sending
 * use case instead ({@link FailureDispatcher#dispatch}: plan, send marker, merge slot, compose,
 * hand to a transport that only counts), on the in-memory ledger, rate limits off
 * ({@code failureReportsPerDestinationPerHour = failureReportsPerMinute = 0}), merging on
 * (every candidate has its own source IP, so each report opens its slot and is sent at once).
 */
public final class FailureReportBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.example.com.  TXT "v=DMARC1; p=reject; ruf=mailto:ruf@example.com; fo=1:d:s"
            example.com.         TXT "v=spf1 ip4:198.51.100.0/24 ra=spf-reports rr=f -all"
            _report._domainkey.example.com. TXT "ra=dkim-reports; rr=v"
            """;

    private static final String HEADERS = """
            Received: from mail.forger.example (mail.forger.example [192.0.2.7])\r
            \tby mx.receiver.example with ESMTPS id 4XyZ for <alice@receiver.example>;\r
            \tTue, 1 Dec 2026 10:15:29 +0000\r
            Authentication-Results: mx.receiver.example; dkim=fail header.d=example.com; spf=fail\r
            \tsmtp.mailfrom=example.com; dmarc=fail header.from=example.com\r
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel1; r=y;\r
            \th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r
            \tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\r
            From: Example News <news@example.com>\r
            To: Alice <alice@receiver.example>\r
            Subject: Your account needs attention\r
            Date: Tue, 1 Dec 2026 10:15:28 +0000\r
            Message-ID: <m1@mail.forger.example>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=us-ascii\r
            """;

    public static void main(String[] args) {
        int candidates = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean redact = args.length > 2 && args[2].equals("redact");
        boolean dispatch = args.length > 3 && args[3].equals("dispatch");
        if (dispatch) {
            dispatch(candidates, rounds, redact);
            return;
        }
        FailureReportPlanner planner =
                new FailureReportPlanner(ZoneFileResolver.fromText(ZONE), Sampler.byKey(), "reporter.example");
        ArfMessage.Sender sender = new ArfMessage.Sender(
                "noreply@reporter.example", "bounces@reporter.example", "reporter.example", "dmarc-reporter/bench");
        Privacy privacy = redact
                ? new Privacy(
                        LocalPartRedactor.withSecret("bench secret, sixteen bytes".getBytes(StandardCharsets.UTF_8)),
                        Privacy.HeaderScope.ALL)
                : Privacy.NONE;
        Instant date = Instant.parse("2026-12-01T10:15:35Z");
        System.out.printf(
                "%,d candidates per round, %s%n", candidates, redact ? "local parts redacted" : "no redaction");
        for (int round = 0; round <= rounds; round++) {
            long reports = 0;
            long bytes = 0;
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < candidates; i++) {
                FailureReportPlan plan = planner.plan(candidate(i), 0, List.of());
                for (PlannedReport p : plan.reports()) {
                    OutgoingMail mail = ArfMessage.compose(p.report(), sender, p.recipient(), privacy, date);
                    bytes += mail.message().length;
                    reports++;
                }
            }
            long nanos = System.nanoTime() - start;
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            System.out.printf(
                    "%s: %,d reports in %,d ms: %,.0f reports/s on one thread, %,.1f us CPU per report, "
                            + "%,d bytes per report%n",
                    round == 0 ? "warm-up" : "round " + round,
                    reports,
                    nanos / 1_000_000,
                    reports * 1e9 / nanos,
                    cpu / 1e3 / reports,
                    bytes / reports);
        }
    }

    private static void dispatch(int candidates, int rounds, boolean redact) {
        ReportingSettings settings = SettingsReader.read(java.util.Map.of(
                "orgName",
                "reporter.example",
                "contactEmail",
                "dmarc@reporter.example",
                "failureReportRedaction",
                redact,
                "failureReportRedactionSecret",
                "bench secret, sixteen bytes",
                "failureReportsPerDestinationPerHour",
                0,
                "failureReportsPerMinute",
                0));
        FailureReportPlanner planner =
                new FailureReportPlanner(ZoneFileResolver.fromText(ZONE), Sampler.byKey(), "reporter.example");
        ArfMessage.Sender sender = new ArfMessage.Sender(
                "noreply@reporter.example", "bounces@reporter.example", "reporter.example", "dmarc-reporter/bench");
        long now = Instant.parse("2026-12-01T10:15:35Z").getEpochSecond();
        System.out.printf(
                "%,d candidates per round through FailureDispatcher (in-memory ledger, rate limits off), %s%n",
                candidates, redact ? "local parts redacted" : "no redaction");
        for (int round = 0; round <= rounds; round++) {
            // a fresh ledger per round: the same candidates again would all be "already sent"
            CountingTransport transport = new CountingTransport();
            FailureDispatcher dispatcher = new FailureDispatcher(
                    planner,
                    transport,
                    new InMemoryFailureLedger(),
                    (slot, at) -> {},
                    FailureMetrics.NONE,
                    settings,
                    sender);
            long sent = 0;
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < candidates; i++) {
                sent += dispatcher.dispatch(candidate(i), now).count(DispatchResult.Status.SENT);
            }
            long nanos = System.nanoTime() - start;
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            if (sent != transport.messages) {
                throw new IllegalStateException("sent " + sent + " but the transport got " + transport.messages);
            }
            System.out.printf(
                    "%s: %,d reports dispatched in %,d ms: %,.0f reports/s on one thread, %,.1f us CPU per report, "
                            + "%,d bytes per report%n",
                    round == 0 ? "warm-up" : "round " + round,
                    sent,
                    nanos / 1_000_000,
                    sent * 1e9 / nanos,
                    cpu / 1e3 / sent,
                    transport.bytes / Math.max(1, sent));
        }
    }

    /** Accepts every message and only counts it. */
    private static final class CountingTransport implements MailTransport {
        long messages;
        long bytes;

        @Override
        public Delivery send(OutgoingMail mail) {
            messages++;
            bytes += mail.message().length;
            java.util.Map<String, DeliveryOutcome> out = new java.util.LinkedHashMap<>();
            mail.recipients().forEach(r -> out.put(r, new DeliveryOutcome.Sent("counted")));
            return new Delivery(mail.messageId(), out);
        }
    }

    private static FailureCandidate candidate(int i) {
        String ip = "192.0." + ((i >>> 8) & 255) + "." + (i & 255);
        AuthenticationResult r = new AuthenticationResult(
                "<m" + i + "@mail.forger.example>",
                Instant.parse("2026-12-01T10:15:30Z").plusSeconds(i),
                ip,
                40_000 + (i & 8191),
                "mail.forger.example",
                "bounce" + i + "@example.com",
                List.of("alice@receiver.example"),
                "Example News <news@example.com>",
                new SpfCheck(SpfResult.FAIL, "example.com", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "example.com", "sel1", true)),
                HEADERS);
        return new FailureCandidate(
                "cand-" + i,
                "example.com",
                "v=DMARC1; p=reject; ruf=mailto:ruf@example.com; fo=1:d:s",
                EnumSet.allOf(FailureTrigger.class),
                r,
                new Verdict(r.messageId(), "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
                Instant.parse("2026-12-01T10:15:31Z"));
    }
}
