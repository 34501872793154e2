package org.dmarcreporter.core.report.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.dmarcreporter.core.report.arf.ArfMessage;
import org.dmarcreporter.core.report.arf.FeedbackReport;
import org.dmarcreporter.core.report.arf.LocalPartRedactor;
import org.dmarcreporter.core.report.arf.Privacy;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.destination.Destination;
import org.dmarcreporter.core.report.dispatch.DispatchResult.Report;
import org.dmarcreporter.core.report.dispatch.DispatchResult.Status;
import org.dmarcreporter.core.report.dispatch.FailureLedger.Join;
import org.dmarcreporter.core.report.dispatch.FailureLedger.TakenSlot;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.routing.FailureReportPlan;
import org.dmarcreporter.core.report.routing.FailureReportPlanner;
import org.dmarcreporter.core.report.routing.PlannedReport;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.settings.FailureReportSettings;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the failure reports of one candidate, and the merged report of one slot
 * ({@code docs/failure-reports.md}, "Sending"). Per planned report:
 * <ol>
 *   <li><b>send marker</b> ({@link FailureLedger#claimSend}): a report whose marker exists is
 *       {@link Status#ALREADY_SENT}, so a retried candidate never sends twice;</li>
 *   <li><b>merge slot</b> ({@link FailureLedger#joinSlot}) per (recipient, policy domain,
 *       Auth-Failure, source IP): the first incident of a window is sent at once; like incidents
 *       within {@code failureReportMergeSeconds} are held ({@link Status#MERGED}) and go out as one
 *       report with {@code Incidents: N} when the slot is flushed (RFC 9991 §8.1);</li>
 *   <li><b>rate limits</b> ({@link FailureLedger#takeToken}): per destination address and clock
 *       hour, then overall per clock minute; a refused report is held in its slot until the refusing
 *       period ends and is dropped ({@link Status#RATE_LIMITED}) only when it could not go out
 *       within {@link #MAX_HOLD_SECONDS} of being held;</li>
 *   <li><b>send</b>: sent keeps the marker; a temporary failure removes it and asks the caller to
 *       retry; a permanent failure keeps it ({@link Status#FAILED}).</li>
 * </ol>
 * A crash between the marker and the send loses that report (at most once: failure reports are
 * best effort, RFC 9991). Thread-safe when its ports are.
 */
public final class FailureDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(FailureDispatcher.class);

    /** Send markers are kept this long: longer than any retry of a candidate (a stream keeps 24 h). */
    public static final long MARKER_SECONDS = 7 * 86_400L;
    /** A held incident goes out within this long of being held, or is dropped. */
    public static final long MAX_HOLD_SECONDS = 3_600L;
    /** A merged report whose send failed temporarily is tried again this much later. */
    public static final long FLUSH_RETRY_SECONDS = 60L;

    private static final String GLOBAL_BUCKET = "all";

    private final FailureReportPlanner planner;
    private final MailTransport transport;
    private final FailureLedger ledger;
    private final FlushScheduler scheduler;
    private final FailureMetrics metrics;
    private final ReportingSettings settings;
    private final FailureReportSettings failure;
    private final ArfMessage.Sender sender;
    private final Privacy privacy;

    /**
     * @throws org.dmarcreporter.core.settings.SettingsReader.InvalidSettingException naming
     *     {@code failureReportRedactionSecret} when sending and redaction are on and no secret is set
     */
    public FailureDispatcher(
            FailureReportPlanner planner,
            MailTransport transport,
            FailureLedger ledger,
            FlushScheduler scheduler,
            FailureMetrics metrics,
            ReportingSettings settings,
            ArfMessage.Sender sender) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.failure = settings.failureReports();
        this.sender = Objects.requireNonNull(sender, "sender");
        this.privacy = settings.sendFailureReports() ? privacy(failure) : Privacy.NONE;
    }

    /** What the settings say a report may quote. */
    public static Privacy privacy(FailureReportSettings settings) {
        byte[] secret = settings.redactionSecretBytes();
        return new Privacy(
                secret == null ? null : LocalPartRedactor.withSecret(secret),
                settings.headers() == FailureReportSettings.Headers.ESSENTIAL
                        ? Privacy.HeaderScope.ESSENTIAL
                        : Privacy.HeaderScope.ALL);
    }

    /**
     * Sends what one candidate asks for, now (epoch seconds). Call again with the same candidate
     * when the result says {@code retry}; the markers keep the repeat from sending twice.
     */
    public DispatchResult dispatch(FailureCandidate candidate, long now) {
        if (!settings.sendFailureReports()) {
            return new DispatchResult(List.of(), false, List.of("sendFailureReports is false: nothing sent"));
        }
        FailureReportPlan plan = planner.plan(candidate, settings.maxReportRecipients(), settings.copyReportsTo());
        List<Report> out =
                new ArrayList<>(plan.reports().size() + plan.notSent().size());
        boolean retry = false;
        for (Destination d : plan.notSent()) {
            if (d instanceof Destination.Defer defer) {
                retry = true;
                out.add(new Report(defer.uri(), null, null, Status.RETRY, 1, defer.reason()));
            } else if (d instanceof Destination.Skip skip) {
                out.add(new Report(skip.uri(), null, null, Status.SKIPPED, 1, skip.reason()));
                metrics.add(FailureMetrics.SKIPPED, 1);
            }
        }
        for (PlannedReport p : plan.reports()) {
            Report r = dispatchOne(candidate, p, now);
            retry |= r.status() == Status.RETRY;
            out.add(r);
        }
        if (retry) {
            metrics.add(FailureMetrics.RETRIED, 1);
        }
        return new DispatchResult(out, retry, plan.notes());
    }

    private Report dispatchOne(FailureCandidate candidate, PlannedReport p, long now) {
        FeedbackReport report = p.report();
        String to = p.recipient();
        if (!ledger.claimSend(report.key(), to, now, now + MARKER_SECONDS)) {
            metrics.add(FailureMetrics.ALREADY_SENT, 1);
            return report(p, Status.ALREADY_SENT, 1, "sent earlier");
        }
        String slot = null;
        String representative = null;
        if (failure.mergeSeconds() > 0) {
            representative = Representative.encode(p);
            if (representative.length() * 3L <= FailureLedger.MAX_REPRESENTATIVE_BYTES
                    || utf8(representative) <= FailureLedger.MAX_REPRESENTATIVE_BYTES) {
                slot = slotKey(to, candidate.policyDomain(), report);
            }
        }
        Join join = null;
        long refusedUntil;
        try {
            if (slot != null) {
                join = ledger.joinSlot(slot, representative, now, now + failure.mergeSeconds());
            }
            refusedUntil = join instanceof Join.Joined ? 0 : takeTokens(to, now);
        } catch (RuntimeException e) {
            // A store error before anything was held or sent: give the marker back, so that the
            // caller's retry sends the report instead of taking it for sent. (Once an incident is
            // held or the mail handed to the transport, the marker stays: never twice.)
            try {
                ledger.releaseSend(report.key(), to);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        if (join instanceof Join.Joined joined) {
            // the first held incident schedules the flush; a late one schedules it again, in
            // case the first scheduling failed (FlushScheduler)
            if (joined.heldCount() == 1 || now >= joined.dueAt()) {
                schedule(slot, joined.dueAt());
            }
            metrics.add(FailureMetrics.MERGED, 1);
            return report(p, Status.MERGED, 1, "held until " + Instant.ofEpochSecond(joined.dueAt()));
        }
        if (refusedUntil > 0) {
            if (slot == null) {
                metrics.add(FailureMetrics.RATE_LIMITED, 1);
                return report(p, Status.RATE_LIMITED, 1, "rate limit reached; merging is off: dropped");
            }
            if (ledger.hold(slot, representative, 1, now, now, refusedUntil) == 1) {
                schedule(slot, refusedUntil);
            }
            metrics.add(FailureMetrics.MERGED, 1);
            return report(p, Status.MERGED, 1, "rate limit reached: held until " + Instant.ofEpochSecond(refusedUntil));
        }
        DeliveryOutcome outcome = send(report, to, now);
        if (outcome instanceof DeliveryOutcome.TemporaryFailure) {
            ledger.releaseSend(report.key(), to);
            return report(p, Status.RETRY, 1, outcome.detail());
        }
        return finished(p, report, outcome, 1);
    }

    /**
     * Sends what a slot holds as one report with {@code Incidents: N} (N = the incidents held,
     * not counting the one sent when the slot opened, which was reported already), and keeps the
     * slot open for another window. Called by the {@link FlushScheduler}; a repeated or early
     * call is harmless. Never asks for a retry: what cannot go out now is held again and
     * scheduled.
     */
    public DispatchResult flush(String slotKey, long now) {
        long window = Math.max(1, failure.mergeSeconds());
        Optional<TakenSlot> taken = ledger.takeSlot(slotKey, now, now + window);
        if (taken.isEmpty()) {
            return DispatchResult.NOTHING;
        }
        TakenSlot t = taken.get();
        PlannedReport rep;
        try {
            rep = Representative.decode(t.representative());
        } catch (IllegalArgumentException e) {
            LOG.warn("failure-report slot {}: {}; {} incident(s) dropped", slotKey, e.getMessage(), t.heldCount());
            metrics.add(FailureMetrics.FAILED, 1);
            return new DispatchResult(
                    List.of(new Report(slotKey, null, null, Status.FAILED, t.heldCount(), e.getMessage())),
                    false,
                    List.of());
        }
        if (!settings.sendFailureReports()) {
            metrics.add(FailureMetrics.SKIPPED, 1);
            return one(rep, rep.report(), Status.SKIPPED, t.heldCount(), "sendFailureReports is false: dropped");
        }
        int n = (int) Math.min(Integer.MAX_VALUE, t.heldCount());
        FeedbackReport merged = merged(rep.report(), slotKey, t, n);
        String to = rep.recipient();
        long deadline = t.heldSince() + MAX_HOLD_SECONDS;

        long refusedUntil = takeTokens(to, now);
        if (refusedUntil > 0) {
            if (refusedUntil > deadline) {
                metrics.add(FailureMetrics.RATE_LIMITED, t.heldCount());
                return one(rep, merged, Status.RATE_LIMITED, t.heldCount(), "rate limit reached past the longest hold");
            }
            holdAgain(slotKey, t, now, refusedUntil);
            return one(
                    rep,
                    merged,
                    Status.MERGED,
                    t.heldCount(),
                    "rate limit reached: held until " + Instant.ofEpochSecond(refusedUntil));
        }
        DeliveryOutcome outcome = send(merged, to, now);
        if (outcome instanceof DeliveryOutcome.TemporaryFailure) {
            long again = now + FLUSH_RETRY_SECONDS;
            if (again > deadline) {
                metrics.add(FailureMetrics.FAILED, 1);
                return one(rep, merged, Status.FAILED, t.heldCount(), outcome.detail() + " (past the longest hold)");
            }
            holdAgain(slotKey, t, now, again);
            metrics.add(FailureMetrics.RETRIED, 1);
            return one(rep, merged, Status.RETRY, t.heldCount(), outcome.detail());
        }
        Report r = finished(rep, merged, outcome, t.heldCount());
        return new DispatchResult(List.of(r), false, List.of());
    }

    private void holdAgain(String slotKey, TakenSlot t, long now, long dueAt) {
        ledger.hold(slotKey, t.representative(), t.heldCount(), t.heldSince(), now, dueAt);
        schedule(slotKey, dueAt);
    }

    /**
     * The merged report: the representative (the first held incident) standing for {@code n}
     * incidents, with a key of its own so its Message-ID differs from the representative's and a
     * repeat of the same merge carries the same one.
     */
    private static FeedbackReport merged(FeedbackReport r, String slotKey, TakenSlot t, int n) {
        return new FeedbackReport(
                        r.key() + "/merged/" + slotKey.substring(0, Math.min(16, slotKey.length())) + "/"
                                + t.heldSince() + "/" + n,
                        r.authFailure(),
                        r.identityAlignment(),
                        r.reportedDomain(),
                        r.originalMailFrom(),
                        r.originalRcptTo(),
                        r.arrivalDate(),
                        r.sourceIp(),
                        r.sourcePort(),
                        r.authenticationResults(),
                        r.dkim(),
                        r.spfDns(),
                        1,
                        r.headers())
                .withIncidents(n);
    }

    private Report finished(PlannedReport p, FeedbackReport report, DeliveryOutcome outcome, long incidents) {
        if (outcome instanceof DeliveryOutcome.Sent) {
            metrics.add(FailureMetrics.SENT, 1);
            return new Report(
                    p.recipient(),
                    report.key(),
                    report.authFailure().token(),
                    Status.SENT,
                    incidents,
                    outcome.detail());
        }
        metrics.add(FailureMetrics.FAILED, 1);
        return new Report(
                p.recipient(), report.key(), report.authFailure().token(), Status.FAILED, incidents, outcome.detail());
    }

    private DeliveryOutcome send(FeedbackReport report, String to, long now) {
        OutgoingMail mail;
        try {
            mail = ArfMessage.compose(report, sender, to, privacy, Instant.ofEpochSecond(now));
        } catch (IllegalArgumentException e) {
            return new DeliveryOutcome.PermanentFailure(DeliveryOutcome.Cause.INVALID_ADDRESS, e.getMessage());
        }
        return transport
                .send(mail)
                .outcome(to)
                .orElseGet(() -> new DeliveryOutcome.PermanentFailure(
                        DeliveryOutcome.Cause.INVALID_ADDRESS, "the transport gave no outcome for " + to));
    }

    /**
     * Takes a token of each limit that is on: per destination (clock hour) first, so that a flood
     * to one address does not use up the overall budget; then overall (clock minute). A token
     * taken for a report the next limit refuses is not given back: the limits may under-run by
     * that much, never over-run.
     *
     * @return 0 when the report may go; else when the refusing period ends (epoch seconds)
     */
    private long takeTokens(String to, long now) {
        if (failure.perDestinationPerHour() > 0) {
            long hour = now - Math.floorMod(now, 3_600L);
            if (!ledger.takeToken(destinationBucket(to), hour, failure.perDestinationPerHour(), hour + 2 * 3_600L)) {
                return hour + 3_600L;
            }
        }
        if (failure.perMinute() > 0) {
            long minute = now - Math.floorMod(now, 60L);
            if (!ledger.takeToken(GLOBAL_BUCKET, minute, failure.perMinute(), minute + 2 * 60L)) {
                return minute + 60L;
            }
        }
        return 0;
    }

    private void schedule(String slot, long dueAt) {
        try {
            scheduler.scheduleFlush(slot, dueAt);
        } catch (RuntimeException e) {
            // the next late join schedules it again (FlushScheduler)
            LOG.warn("could not schedule the flush of failure-report slot {}: {}", slot, e.toString());
        }
    }

    /**
     * The slot of like incidents: same recipient (case-insensitive), policy domain, Auth-Failure
     * and source IP, hashed so that the key is short and names no address.
     */
    static String slotKey(String recipient, String policyDomain, FeedbackReport report) {
        return sha256Hex(recipient.toLowerCase(Locale.ROOT)
                + '\n'
                + policyDomain.toLowerCase(Locale.ROOT)
                + '\n'
                + report.authFailure().token()
                + '\n'
                + report.sourceIp());
    }

    static String destinationBucket(String recipient) {
        return "to:" + sha256Hex(recipient.toLowerCase(Locale.ROOT));
    }

    private static Report report(PlannedReport p, Status status, long incidents, String detail) {
        return new Report(
                p.recipient(), p.report().key(), p.report().authFailure().token(), status, incidents, detail);
    }

    private static DispatchResult one(
            PlannedReport p, FeedbackReport report, Status status, long incidents, String detail) {
        return new DispatchResult(
                List.of(new Report(
                        p.recipient(), report.key(), report.authFailure().token(), status, incidents, detail)),
                false,
                List.of());
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String sha256Hex(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(64);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
