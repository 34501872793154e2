package org.dmarcreporter.core.report.dispatch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.evaluation.Evaluation;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.arf.ArfMessage;
import org.dmarcreporter.core.report.delivery.RecordingMailTransport;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.routing.FailureReportPlanner;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureReportTriggers;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * A dispatcher wired to memory: zone-file DNS, the in-memory ledger, a recording transport, a
 * scheduler whose flushes the test runs in time order, and counting metrics. Candidates are made
 * as ingest makes them (evaluation, then {@link FailureReportTriggers}).
 */
final class DispatchFixture {

    static final String SECRET = "a test secret of enough bytes";

    final DnsResolver dns;
    final InMemoryFailureLedger ledger = new InMemoryFailureLedger();
    final RecordingMailTransport transport = new RecordingMailTransport();
    final Scheduler scheduler = new Scheduler();
    final Counters metrics = new Counters();
    final FailureDispatcher dispatcher;
    private final DmarcEvaluator evaluator;

    /** @param settings extra setting keys (orgName, contactEmail and the secret are given) */
    DispatchFixture(DnsResolver dns, Map<String, ?> settings) {
        this(dns, settings, Sampler.byKey());
    }

    DispatchFixture(DnsResolver dns, Map<String, ?> settings, Sampler sampler) {
        this.dns = dns;
        Map<String, Object> all = new HashMap<>();
        all.put("orgName", "reporter.example");
        all.put("contactEmail", "dmarc@reporter.example");
        all.put("failureReportRedactionSecret", SECRET);
        all.putAll(settings);
        ReportingSettings s = SettingsReader.read(all);
        this.evaluator = new DmarcEvaluator(dns);
        this.dispatcher = new FailureDispatcher(
                new FailureReportPlanner(dns, sampler, s.orgName()),
                transport,
                ledger,
                scheduler,
                metrics,
                s,
                new ArfMessage.Sender(
                        "noreply@reporter.example", "bounces@reporter.example", s.orgName(), "dmarc-reporter/test"));
    }

    /** The candidate ingest would store for this result, or null when it stores none. */
    FailureCandidate candidate(String id, AuthenticationResult result) {
        Evaluation e = evaluator.evaluate(result);
        Set<FailureTrigger> triggers = FailureReportTriggers.matching(e, result);
        if (triggers.isEmpty()) {
            return null;
        }
        Verdict v = e.toVerdict(result.messageId());
        return FailureCandidate.bounded(
                id, e.policyDomain(), e.record().text(), triggers, result, v, result.receivedAt());
    }

    DmarcResult dmarc(AuthenticationResult result) {
        return evaluator.evaluate(result).result();
    }

    /** Runs every flush due by {@code until}, in due order, each at its due time; returns the results. */
    List<DispatchResult> runFlushes(long until) {
        List<DispatchResult> out = new ArrayList<>();
        while (!scheduler.queue.isEmpty() && scheduler.queue.peek().dueAt() <= until) {
            Scheduled s = scheduler.queue.poll();
            scheduler.order.remove(s);
            out.add(dispatcher.flush(s.slotKey(), s.dueAt()));
        }
        return out;
    }

    /** "auth-failure recipient identity-alignment" of every mail sent, in order. */
    List<String> sent() {
        List<String> out = new ArrayList<>();
        for (RecordingMailTransport.Received r : transport.received()) {
            String text = text(r.mail().message());
            out.add(field(text, "Auth-Failure") + " " + r.recipient() + " " + field(text, "Identity-Alignment"));
        }
        return out;
    }

    static String text(byte[] message) {
        return new String(message, StandardCharsets.UTF_8);
    }

    /** The value of a feedback-report field, or "-" when absent. */
    static String field(String message, String name) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(name) + ": ([^\r\n]*)").matcher(message);
        return m.find() ? m.group(1) : "-";
    }

    static long epoch(Instant i) {
        return i.getEpochSecond();
    }

    record Scheduled(String slotKey, long dueAt) {}

    /** Keeps the scheduled flushes in due order (ties in scheduling order). */
    static final class Scheduler implements FlushScheduler {
        // every access under the fixture's single test thread, or this monitor
        private final AtomicLong seq = new AtomicLong();
        private final Map<Scheduled, Long> order = new ConcurrentHashMap<>();
        final PriorityQueue<Scheduled> queue = new PriorityQueue<>((a, b) ->
                a.dueAt() != b.dueAt() ? Long.compare(a.dueAt(), b.dueAt()) : Long.compare(order.get(a), order.get(b)));
        long calls;
        volatile boolean failing;

        @Override
        public synchronized void scheduleFlush(String slotKey, long dueAt) {
            calls++;
            if (failing) {
                throw new IllegalStateException("queue unavailable");
            }
            Scheduled s = new Scheduled(slotKey, dueAt);
            if (order.putIfAbsent(s, seq.incrementAndGet()) == null) {
                queue.add(s);
            }
        }
    }

    /** Counts per counter name. */
    static final class Counters implements FailureMetrics {
        final Map<String, Long> counts = new ConcurrentHashMap<>();

        @Override
        public void add(String counter, long n) {
            counts.merge(counter, n, Long::sum);
        }

        long get(String counter) {
            return counts.getOrDefault(counter, 0L);
        }
    }
}
