package org.dmarcreporter.core.report.run;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.destination.Destination;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.destination.ReportKind;
import org.dmarcreporter.core.report.mail.AggregateReportMail;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.mail.ReportNames;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.ReportedWindow;
import org.dmarcreporter.core.report.run.RunSummary.DateRange;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.dmarcreporter.core.report.xml.AggregateReportWriter;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.report.xml.ReportMetadata;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.window.ReportingWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregate report run ({@code docs/aggregate-reports.md}): for each settled, unreported
 * window, choose the destinations, render the report streaming, send it to each recipient that
 * does not have it yet, record what became of each, and mark the window reported once every
 * recipient has it or was given up on. Names derive from (domain, window), so a retry sends the
 * same report id, file name and Message-ID. A failure for one window or recipient is recorded in
 * the summary and never stops the others.
 */
public final class AggregateRun {

    static final String TOO_LARGE = "report too large";

    /**
     * How long a run holds a window's report lease ({@link ReportLedger#takeLease}): longer than
     * any holder can work on a window, so that a lease runs out only after its holder died. In AWS
     * that bound is Lambda's longest invocation (15 min, whatever a function's timeout), plus a
     * minute for clock skew between hosts. A holder that crashed blocks its window this long.
     */
    public static final Duration LEASE = Duration.ofMinutes(16);

    private static final Logger LOG = LoggerFactory.getLogger(AggregateRun.class);

    private static final String COPY = "copyReportsTo";

    /** Where a dry run puts the messages it would send. */
    @FunctionalInterface
    public interface DryRunSink {
        void write(String name, OutgoingMail mail) throws IOException;
    }

    /** Waits for the settle time after a send-now cut; tests move a clock instead. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private final ReportLedger ledger;
    private final ReportDestinations destinations;
    private final MailTransport transport;
    private final ReportingSettings settings;
    private final RunOptions options;
    private final Clock clock;
    private final Pause pause;

    public AggregateRun(
            ReportLedger ledger,
            ReportDestinations destinations,
            MailTransport transport,
            ReportingSettings settings,
            RunOptions options,
            Clock clock,
            Pause pause) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    /** Runs the request and answers with what became of each window; {@code sink} is needed for a dry run. */
    public RunSummary run(RunRequest request, DryRunSink sink) {
        if (request.dryRun() && sink == null) {
            throw new IllegalArgumentException("a dry run needs somewhere to write the messages");
        }
        long startedAt = clock.instant().getEpochSecond();
        Long cutAt = null;
        if (request.sendNow()) {
            if (!request.dryRun()) {
                startedAt = afterEarlierCuts(request.policyDomain(), startedAt);
            }
            cutAt = startedAt;
            if (!request.dryRun()) {
                ledger.writeCut(request.policyDomain(), startedAt);
                try {
                    pause.pause(options.settle());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the cut to settle", e);
                }
            }
        }
        Long virtualCut = request.dryRun() ? cutAt : null;
        List<WindowReport> reports = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger notSettled = new AtomicInteger();
        Iterator<IndexedWindow> plan = new ReportPlanner(ledger, options.pageSize()).plan(request.policyDomain());
        forEach(plan, item -> {
            WindowReport r = report(item, request.dryRun(), virtualCut, sink);
            if (r == null) {
                notSettled.incrementAndGet();
            } else {
                reports.add(r);
            }
        });
        List<WindowReport> sorted = new ArrayList<>(reports);
        sorted.sort(Comparator.comparing(WindowReport::domain).thenComparingLong(WindowReport::windowStart));
        RunSummary summary = new RunSummary(
                request.sendNow() ? "send-now" : "midnight",
                request.policyDomain(),
                request.dryRun(),
                startedAt,
                cutAt,
                sorted,
                RunSummary.Totals.of(sorted, notSettled.get()));
        LOG.info("aggregate run {}: {}", summary.trigger(), summary.totals());
        return summary;
    }

    /**
     * The time for a new cut: {@code now}, or when a cut that applies was written in this second
     * already, the next second. Windows start at a cut and a cut ends only windows that started
     * before it, so a second cut in the same second would end nothing: what was ingested since the
     * first would wait for the next run instead of going into this one (docs/send-now.md). Cuts
     * for other single domains are not read (an all-domains send-now right after a one-domain
     * send-now may leave that domain's newest second to the next run).
     */
    private long afterEarlierCuts(String policyDomain, long now) {
        List<Long> cuts = ledger.cuts(policyDomain);
        long last = cuts.isEmpty() ? Long.MIN_VALUE : cuts.get(cuts.size() - 1);
        if (last < now) {
            return now;
        }
        try {
            pause.pause(Duration.ofMillis(Math.max(0, (last + 1) * 1000 - clock.millis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next second", e);
        }
        return Math.max(last + 1, clock.instant().getEpochSecond());
    }

    /** Sequentially, or on a bounded pool that takes the next item only when a worker is free. */
    private void forEach(Iterator<IndexedWindow> plan, java.util.function.Consumer<IndexedWindow> work) {
        if (options.concurrency() == 1) {
            plan.forEachRemaining(work);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(options.concurrency());
        Semaphore free = new Semaphore(options.concurrency());
        try {
            while (plan.hasNext()) {
                IndexedWindow item = plan.next();
                free.acquireUninterruptibly();
                pool.execute(() -> {
                    try {
                        work.accept(item);
                    } finally {
                        free.release();
                    }
                });
            }
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(1, TimeUnit.HOURS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One work item of the fan-out (a Lambda's SQS message, a local worker's task): the window's
     * report, or null when the window has not settled yet. Never throws: a failure is an
     * {@code error} entry.
     */
    public WindowReport report(IndexedWindow item, boolean dryRun, Long virtualCut, DryRunSink sink) {
        ReportingWindow window = item.window();
        String domain = window.policyDomain();
        long start = window.start();
        try {
            long now = clock.instant().getEpochSecond();
            List<Long> cuts = new ArrayList<>(ledger.cuts(domain));
            if (virtualCut != null) {
                cuts.add(virtualCut);
            }
            long end = WindowRange.end(start, cuts);
            if (end > now || !dryRun && end + options.settle().getSeconds() > now) {
                return null;
            }
            WindowJob job = new WindowJob(item, end, now, dryRun, sink);
            if (dryRun) {
                return job.run(); // sends and marks nothing: needs no lease
            }
            String holder = UUID.randomUUID().toString();
            if (!ledger.takeLease(window, holder, now, now + LEASE.getSeconds())) {
                return job.result("busy", "another run is reporting this window", null, null, List.of());
            }
            try {
                return job.run();
            } finally {
                release(window, holder);
            }
        } catch (RuntimeException e) {
            LOG.warn("aggregate report for {} window {} failed", domain, start, e);
            return new WindowReport(
                    domain,
                    start,
                    -1,
                    null,
                    null,
                    "error",
                    String.valueOf(e.getMessage()),
                    null,
                    null,
                    null,
                    List.of());
        }
    }

    /** If the lease cannot be released, it runs out by itself. */
    private void release(ReportingWindow window, String holder) {
        try {
            ledger.releaseLease(window, holder);
        } catch (RuntimeException e) {
            LOG.warn(
                    "{} window {}: lease not released, it runs out in {}",
                    window.policyDomain(),
                    window.start(),
                    LEASE,
                    e);
        }
    }

    /** The work on one window; holds the window's state for the run. */
    private final class WindowJob {
        private final IndexedWindow item;
        private final ReportingWindow window;
        private final long end;
        private final long now;
        private final boolean dryRun;
        private final DryRunSink sink;
        private final ReportNames names;

        WindowJob(IndexedWindow item, long end, long now, boolean dryRun, DryRunSink sink) {
            this.item = item;
            this.window = item.window();
            this.end = end;
            this.now = now;
            this.dryRun = dryRun;
            this.sink = sink;
            this.names = ReportNames.aggregate(settings.orgName(), window.policyDomain(), window.start(), end - 1);
        }

        private WindowReport result(
                String status, String reason, LedgerRows rows, Long bytes, List<RecipientReport> recipients) {
            return new WindowReport(
                    window.policyDomain(),
                    window.start(),
                    end,
                    names.reportId(),
                    new DateRange(window.start(), end - 1),
                    status,
                    reason,
                    rows == null ? null : rows.rows(),
                    rows == null ? null : rows.messages(),
                    bytes,
                    recipients);
        }

        /** Marks the window done (not in a dry run) and answers with {@code status}. */
        private WindowReport done(String status, String reason) {
            if (!dryRun) {
                ledger.markReported(
                        window,
                        new ReportedWindow(
                                names.reportId(),
                                window.start(),
                                end - 1,
                                now,
                                reason == null ? status : status + ": " + reason));
            }
            return result(status, reason, null, null, List.of());
        }

        WindowReport run() {
            if (ledger.reported(window).isPresent()) {
                // A crash between marking and removing cannot happen (one write), but an index
                // entry re-listed by a stale page must not be reported twice.
                return result("already-reported", null, null, null, List.of());
            }
            if (!settings.sendAggregateReports()) {
                return done("not-sent", "sendAggregateReports is false");
            }
            RecordParseResult parsed = DmarcRecordParser.parse(item.policyRecord() == null ? "" : item.policyRecord());
            if (!(parsed instanceof RecordParseResult.Valid valid)) {
                return done("no-recipients", "the stored DMARC record is not valid");
            }
            DmarcRecord record = valid.record();
            if (record.aggregateUris().isEmpty()) {
                return done("no-recipients", "the DMARC record has no rua");
            }
            List<Destination> chosen = new ArrayList<>(destinations.choose(
                    ReportKind.AGGREGATE,
                    window.policyDomain(),
                    record.aggregateUris(),
                    settings.maxReportRecipients()));
            for (String copy : settings.copyReportsTo()) {
                chosen.add(copyDestination(copy));
            }
            Map<String, DeliveryState> states = ledger.deliveries(window);

            RecipientReport[] out = new RecipientReport[chosen.size()];
            List<Due> dueMain = new ArrayList<>();
            List<Due> dueCopies = new ArrayList<>();
            List<String> toMain = new ArrayList<>();
            List<String> toCopies = new ArrayList<>();
            // From the record alone, so a resend carries the same XML (RFC 9990 §3.1.5).
            List<String> errors = RecordErrors.of(record);
            Set<String> seen = new HashSet<>();
            boolean complete = true;
            for (int i = 0; i < chosen.size(); i++) {
                Destination d = chosen.get(i);
                if (d instanceof Destination.Skip s) {
                    out[i] = new RecipientReport(null, s.uri(), "skipped", s.reason(), null, null);
                    LOG.info(
                            "{} report {}: skipped {}: {}",
                            window.policyDomain(),
                            names.reportId(),
                            s.uri(),
                            s.reason());
                } else if (d instanceof Destination.Defer f) {
                    DeliveryState state = states.get(f.uri());
                    DeliveryState next = deferred(f, state);
                    out[i] = next == state && state.isFinal()
                            ? earlier(null, f.uri(), state)
                            : fromState(null, f.uri(), next, f.reason());
                    complete &= next.isFinal();
                } else if (d instanceof Destination.Send s) {
                    String key = ReportingSettings.normalizeAddress(s.mailbox());
                    if (!seen.add(key)) {
                        out[i] = new RecipientReport(
                                s.mailbox(), s.uri(), "skipped", "already a recipient of this report", null, null);
                        continue;
                    }
                    boolean copy = COPY.equals(s.uri());
                    (copy ? toCopies : toMain).add(s.mailbox());
                    DeliveryState state = states.get(key);
                    if (state != null && state.isFinal()) {
                        out[i] = earlier(s.mailbox(), s.uri(), state);
                    } else if (state instanceof DeliveryState.Failed f && f.nextRetry() > now) {
                        out[i] = new RecipientReport(
                                s.mailbox(), s.uri(), "deferred", f.reason(), f.attempts(), f.nextRetry());
                        complete = false;
                    } else {
                        (copy ? dueCopies : dueMain).add(new Due(i, key, s, state == null ? 0 : state.attempts()));
                    }
                }
            }
            LedgerRows rows = null;
            Long bytes = null;
            if (!dueMain.isEmpty() || !dueCopies.isEmpty()) {
                rows = new LedgerRows(ledger, window, options.pageSize());
                if (!rows.hasNext()) {
                    return done("empty", "the window has no rows");
                }
                byte[] gzip;
                try {
                    gzip = render(record, rows, errors);
                } catch (ReportTooLarge e) {
                    gzip = null;
                }
                bytes = gzip == null ? null : (long) gzip.length;
                complete &= deliver(gzip, names, toMain, dueMain, out);
                complete &= deliver(gzip, names.forCopy(), toCopies, dueCopies, out);
                if (gzip == null) {
                    // Rendering stopped at the limit: the rows read so far are not the window's.
                    rows = null;
                }
            }
            List<RecipientReport> recipients = List.of(out);
            if (dryRun) {
                return result("dry-run", null, rows, bytes, recipients);
            }
            if (complete) {
                ledger.markReported(
                        window, new ReportedWindow(names.reportId(), window.start(), end - 1, now, outcome(out)));
                return result("reported", null, rows, bytes, recipients);
            }
            return result("pending", null, rows, bytes, recipients);
        }

        /**
         * The marker's outcome of a window done with: {@code reported}, or when no recipient got
         * the report (every destination skipped or given up on) {@code reported: no recipient got
         * it: } and why, so that a listing can say why without the destinations, which the ledger
         * keeps only for recipients tried.
         */
        private static String outcome(RecipientReport[] out) {
            List<String> why = new ArrayList<>();
            for (RecipientReport r : out) {
                if ("sent".equals(r.status()) || "already-sent".equals(r.status())) {
                    return "reported";
                }
                why.add((r.recipient() != null ? r.recipient() : r.uri()) + ": " + r.reason());
            }
            return "reported: no recipient got it: " + (why.isEmpty() ? "no destination" : String.join("; ", why));
        }

        private Destination copyDestination(String copy) {
            try {
                return new Destination.Send(COPY, MailAddresses.requireValid(copy), false);
            } catch (IllegalArgumentException e) {
                return new Destination.Skip(COPY, e.getMessage());
            }
        }

        /** A destination whose DNS check failed temporarily counts as a failed attempt, with back-off. */
        private DeliveryState deferred(Destination.Defer f, DeliveryState state) {
            if (state != null && (state.isFinal() || state instanceof DeliveryState.Failed x && x.nextRetry() > now)) {
                return state;
            }
            DeliveryState next = options.retry().afterFailure(f.reason(), state == null ? 0 : state.attempts(), now);
            if (!dryRun) {
                ledger.recordDelivery(window, f.uri(), next);
            }
            return next;
        }

        private byte[] render(DmarcRecord record, LedgerRows rows, List<String> errors) {
            ReportMetadata metadata = new ReportMetadata(
                    settings.orgName(),
                    settings.contactEmail(),
                    settings.extraContactInfo(),
                    names.reportId(),
                    window.start(),
                    end - 1,
                    options.generator(),
                    errors.isEmpty() ? null : String.join("; ", errors));
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
            // base64 makes the attachment 4/3 as large; the rest of the message is a few hundred bytes.
            long limit = options.maxMessageBytes() * 3 / 4 - 8 * 1024;
            try {
                AggregateReportWriter.writeGzip(
                        new Limited(buffer, limit),
                        settings.reportFormat(),
                        metadata,
                        PublishedPolicy.of(window.policyDomain(), record),
                        rows);
            } catch (ReportTooLarge e) {
                throw e;
            } catch (IOException e) {
                throw new IllegalStateException("could not render the report", e);
            }
            return buffer.toByteArray();
        }

        /**
         * Sends one message to the due recipients; true when each of them ends final.
         *
         * @param mailNames {@link #names}, or for the copy message its {@link ReportNames#forCopy()}
         */
        private boolean deliver(
                byte[] gzip, ReportNames mailNames, List<String> to, List<Due> due, RecipientReport[] out) {
            if (due.isEmpty()) {
                return true;
            }
            if (gzip != null && settings.reportFormat() == ReportingSettings.ReportFormat.RFC7489) {
                due = withinSizeLimits(gzip.length, to, due, out);
                if (due.isEmpty()) {
                    return true;
                }
            }
            OutgoingMail mail = null;
            if (gzip != null) {
                OutgoingMail composed = AggregateReportMail.compose(
                        options.fromAddress(),
                        settings.returnPath(),
                        to,
                        mailNames,
                        window.policyDomain(),
                        window.start(),
                        end - 1,
                        gzip,
                        Instant.ofEpochSecond(now));
                mail = new OutgoingMail(
                        composed.envelopeFrom(),
                        due.stream().map(d -> d.send().mailbox()).toList(),
                        composed.messageId(),
                        composed.message());
                if (mail.message().length > options.maxMessageBytes()) {
                    mail = null;
                }
            }
            if (mail == null) {
                String reason = TOO_LARGE + " (over " + options.maxMessageBytes() + " bytes)";
                LOG.warn("{} report {}: {}", window.policyDomain(), names.reportId(), reason);
                for (Due d : due) {
                    if (!dryRun) {
                        ledger.recordDelivery(window, d.key(), new DeliveryState.GivenUp(reason, d.attempts()));
                    }
                    out[d.index()] =
                            new RecipientReport(d.send().mailbox(), d.send().uri(), "skipped", reason, null, null);
                }
                return true;
            }
            if (dryRun) {
                try {
                    sink.write(
                            names.fileName().replace(".xml.gz", "")
                                    + (due.get(0).send().uri().equals(COPY) ? "-copy" : "") + ".eml",
                            mail);
                } catch (IOException e) {
                    throw new IllegalStateException("could not write the dry-run message", e);
                }
                for (Due d : due) {
                    out[d.index()] =
                            new RecipientReport(d.send().mailbox(), d.send().uri(), "dry-run", null, null, null);
                }
                return true;
            }
            Map<String, DeliveryOutcome> outcomes;
            try {
                outcomes = transport.send(mail).outcomes();
            } catch (RuntimeException e) {
                LOG.warn("{} report {}: sending failed", window.policyDomain(), names.reportId(), e);
                String reason = "sending failed: " + e.getMessage();
                boolean allFinal = true;
                for (Due d : due) {
                    allFinal &= record(d, new DeliveryOutcome.TemporaryFailure(reason), out);
                }
                return allFinal;
            }
            boolean allFinal = true;
            for (Due d : due) {
                DeliveryOutcome o = outcomes.get(d.send().mailbox());
                if (o == null) {
                    o = outcomes.get(d.key());
                }
                allFinal &= record(
                        d, o == null ? new DeliveryOutcome.TemporaryFailure("no outcome from the transport") : o, out);
            }
            return allFinal;
        }

        /**
         * RFC 7489 §6.2: a URI's {@code !size} suffix caps the report sent there; a report over it
         * is not sent to that URI (RFC 7489 §7.2.2's error reports no longer exist). Only in the
         * rfc7489 format: RFC 9989 §4.8 makes the suffix obsolete. The recipients left out are
         * also taken off {@code to}, so the message names only those it goes to.
         */
        private List<Due> withinSizeLimits(long reportBytes, List<String> to, List<Due> due, RecipientReport[] out) {
            List<Due> fits = new ArrayList<>(due.size());
            for (Due d : due) {
                Long max = d.send().maxBytes();
                if (max == null || reportBytes <= max) {
                    fits.add(d);
                    continue;
                }
                String reason = TOO_LARGE + " for the URI's !size limit (" + reportBytes + " > " + max + " bytes)";
                LOG.warn(
                        "{} report {}: {}: {}",
                        window.policyDomain(),
                        names.reportId(),
                        d.send().uri(),
                        reason);
                if (!dryRun) {
                    ledger.recordDelivery(window, d.key(), new DeliveryState.GivenUp(reason, d.attempts()));
                }
                to.remove(d.send().mailbox());
                out[d.index()] =
                        new RecipientReport(d.send().mailbox(), d.send().uri(), "skipped", reason, null, null);
            }
            return fits;
        }

        private boolean record(Due d, DeliveryOutcome outcome, RecipientReport[] out) {
            DeliveryState next;
            if (outcome instanceof DeliveryOutcome.Sent) {
                next = new DeliveryState.Sent(now, d.attempts() + 1);
            } else if (outcome instanceof DeliveryOutcome.PermanentFailure p
                    && p.cause() == DeliveryOutcome.Cause.TOO_LARGE) {
                // A relay's SIZE (RFC 1870), a 552 reply or SES's limit: skipped as too large
                // (logged and counted in tooLarge), like a report over our own limit.
                next = new DeliveryState.GivenUp(TOO_LARGE + ": " + p.reason(), d.attempts() + 1);
            } else if (outcome instanceof DeliveryOutcome.PermanentFailure p) {
                next = new DeliveryState.GivenUp(p.reason(), d.attempts() + 1);
            } else {
                next = options.retry()
                        .afterFailure(((DeliveryOutcome.TemporaryFailure) outcome).reason(), d.attempts(), now);
            }
            ledger.recordDelivery(window, d.key(), next);
            if (!(next instanceof DeliveryState.Sent)) {
                LOG.warn(
                        "{} report {}: {} -> {}",
                        window.policyDomain(),
                        names.reportId(),
                        d.send().mailbox(),
                        next);
            }
            out[d.index()] = fromState(d.send().mailbox(), d.send().uri(), next, null);
            if (next instanceof DeliveryState.Sent) {
                out[d.index()] =
                        new RecipientReport(d.send().mailbox(), d.send().uri(), "sent", null, next.attempts(), null);
            } else if (next instanceof DeliveryState.GivenUp g && g.reason().startsWith(TOO_LARGE)) {
                out[d.index()] = new RecipientReport(
                        d.send().mailbox(), d.send().uri(), "skipped", g.reason(), next.attempts(), null);
            }
            return next.isFinal();
        }
    }

    /**
     * A final state recorded by an earlier run: {@code already-sent}, {@code already-given-up}, so
     * that {@code given-up} in a summary is always a recipient given up in that run (which makes
     * it count as failed: {@link RunSummary#anyFailed()}).
     */
    private static RecipientReport earlier(String mailbox, String uri, DeliveryState state) {
        if (state instanceof DeliveryState.GivenUp g) {
            return new RecipientReport(mailbox, uri, "already-given-up", g.reason(), g.attempts(), null);
        }
        return fromState(mailbox, uri, state, null);
    }

    /** A state as the summary shows it; {@code sent} from an earlier run is {@code already-sent}. */
    private static RecipientReport fromState(String mailbox, String uri, DeliveryState state, String deferReason) {
        if (state instanceof DeliveryState.Sent s) {
            return new RecipientReport(mailbox, uri, "already-sent", null, s.attempts(), null);
        }
        if (state instanceof DeliveryState.GivenUp g) {
            return new RecipientReport(mailbox, uri, "given-up", g.reason(), g.attempts(), null);
        }
        DeliveryState.Failed f = (DeliveryState.Failed) state;
        return new RecipientReport(
                mailbox, uri, deferReason != null ? "deferred" : "failed", f.reason(), f.attempts(), f.nextRetry());
    }

    private record Due(int index, String key, Destination.Send send, int attempts) {}

    private static final class ReportTooLarge extends RuntimeException {
        ReportTooLarge() {
            super(TOO_LARGE, null, false, false);
        }
    }

    /** Stops rendering as soon as the report is over the limit, so an oversized report never fills the heap. */
    private static final class Limited extends FilterOutputStream {
        private final long limit;
        private long written;

        Limited(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(long n) {
            written += n;
            if (written > limit) {
                throw new ReportTooLarge();
            }
        }
    }
}
