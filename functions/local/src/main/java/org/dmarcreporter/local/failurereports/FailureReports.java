package org.dmarcreporter.local.failurereports;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.report.arf.ArfMessage;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.dispatch.FailureDispatcher;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.routing.FailureReportPlanner;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.settings.FailureReportSettings;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.store.SqliteFailureLedger;
import org.dmarcreporter.local.store.SqliteFailureMetrics;
import org.dmarcreporter.local.store.SqliteFailureQueue;
import org.dmarcreporter.local.store.SqliteResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure reports in {@code serve} (docs/failure-reports.md, "In the local runtime"): the
 * {@link FailureDispatcher} over the SQLite ledger, the background {@link CandidateSender} and the
 * in-process {@link FlushTimer}, started with the runtime and stopped before the store closes.
 *
 * <ul>
 *   <li>a transport and {@code sendFailureReports: true}: candidates are sent within moments of
 *       their ingest, and after a restart whatever was pending;</li>
 *   <li>no transport (neither {@code --outbox} nor {@code --smtp}): nothing is sent, candidates
 *       stay pending until the runtime is started with one;</li>
 *   <li>{@code sendFailureReports: false}: nothing is sent; candidates left from an earlier run are
 *       marked done unsent (counted as skipped).</li>
 * </ul>
 */
public final class FailureReports {

    private static final Logger LOG = LoggerFactory.getLogger(FailureReports.class);

    private final SqliteFailureLedger ledger;
    private final SqliteFailureMetrics metrics;
    private final CandidateSender sender;
    private final FlushTimer timer;
    private final Clock clock;
    private final FailureReportStatus status;

    private FailureReports(
            SqliteFailureLedger ledger,
            SqliteFailureQueue queue,
            SqliteFailureMetrics metrics,
            CandidateSender sender,
            FlushTimer timer,
            Clock clock,
            String sending) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.sender = sender;
        this.timer = timer;
        this.clock = clock;
        this.status = new FailureReportStatus(
                metrics::read, () -> queue.pending(clock.instant().getEpochSecond()), sending);
    }

    /**
     * Opens the sender's tables in {@code store} and, when there is something to send with, starts
     * its threads.
     *
     * @param transport the runtime's mail transport, empty when none was configured
     * @param dataDir   where a redaction secret is kept when the config file sets none
     * @param userAgent the ARF {@code User-Agent} ({@code dmarc-reporter/<version>})
     * @throws UsageException for failure-report settings that cannot be used (a bad secret)
     */
    public static FailureReports start(
            SqliteResultStore store,
            ReportingSettings settings,
            DnsResolver dns,
            Optional<MailTransport> transport,
            Clock clock,
            Path dataDir,
            String userAgent) {
        SqliteFailureLedger ledger = new SqliteFailureLedger(store);
        SqliteFailureQueue queue = new SqliteFailureQueue(store);
        SqliteFailureMetrics metrics = new SqliteFailureMetrics(store);
        long now = clock.instant().getEpochSecond();
        if (!settings.sendFailureReports()) {
            int dropped = queue.markAllDone(now);
            if (dropped > 0) {
                metrics.add(FailureMetrics.SKIPPED, dropped);
                metrics.flush();
                LOG.info("sendFailureReports is false: {} pending failure candidates marked done unsent", dropped);
            }
            return new FailureReports(ledger, queue, metrics, null, null, clock, "off");
        }
        if (transport.isEmpty()) {
            long pending = queue.pending(now);
            LOG.info("failure reports are not sent without --outbox or --smtp; {} candidates pending", pending);
            return new FailureReports(ledger, queue, metrics, null, null, clock, "no transport");
        }
        ReportingSettings sending = withSecret(settings, dataDir);
        FlushTimer timer = new FlushTimer(ledger, clock, Backoff.FLUSHES);
        FailureDispatcher dispatcher;
        try {
            dispatcher = new FailureDispatcher(
                    new FailureReportPlanner(dns, Sampler.byKey(), sending.orgName()),
                    syncedFirst(transport.get(), ledger),
                    ledger,
                    timer,
                    metrics,
                    sending,
                    new ArfMessage.Sender(
                            "noreply@" + sending.orgName(), sending.returnPath(), sending.orgName(), userAgent));
        } catch (SettingsReader.InvalidSettingException e) {
            throw new UsageException(e.getMessage());
        }
        Dispatch dispatch = new Dispatch() {
            @Override
            public boolean dispatch(FailureCandidate candidate, long at) {
                return dispatcher.dispatch(candidate, at).retry();
            }

            @Override
            public boolean flush(String slotKey, long at) {
                return dispatcher.flush(slotKey, at).retry();
            }
        };
        CandidateSender sender = new CandidateSender(queue, metrics, dispatch, clock, Backoff.CANDIDATES);
        timer.start(dispatch);
        sender.start();
        LOG.info(
                "failure reports: sending ({} pending; merge window {} s, at most {} per recipient and hour, {} per minute)",
                queue.pending(now),
                sending.failureReports().mergeSeconds(),
                sending.failureReports().perDestinationPerHour(),
                sending.failureReports().perMinute());
        return new FailureReports(ledger, queue, metrics, sender, timer, clock, "on");
    }

    /** The transport, forcing the ledger's writes (the send marker) to the disk before each send. */
    static MailTransport syncedFirst(MailTransport transport, SqliteFailureLedger ledger) {
        return mail -> {
            ledger.sync();
            return transport.send(mail);
        };
    }

    private static ReportingSettings withSecret(ReportingSettings s, Path dataDir) {
        FailureReportSettings failure = RedactionKey.withSecret(s.failureReports(), dataDir);
        if (failure == s.failureReports()) {
            return s;
        }
        return new ReportingSettings(
                s.sendAggregateReports(),
                s.sendFailureReports(),
                s.maxReportRecipients(),
                s.copyReportsTo(),
                s.orgName(),
                s.contactEmail(),
                s.extraContactInfo(),
                s.returnPath(),
                s.reportFormat(),
                s.ignoreRecipients(),
                s.dedupeMessageIds(),
                failure);
    }

    /** The store as ingest should use it: committing a candidate wakes the sender. */
    public ResultStore wakingOnCandidates(ResultStore store) {
        Objects.requireNonNull(store, "store");
        return sender == null ? store : new WakingResultStore(store, sender::wake);
    }

    /** The {@code failureReports} member of {@code GET /v1/reports}. */
    public FailureReportStatus status() {
        return status;
    }

    /** Deletes expired markers, rate counters and closed slots (with the runtime's hourly purge). */
    public long purgeExpired() {
        return ledger.purgeExpired(clock.instant().getEpochSecond());
    }

    /** Stops the threads, each after the send in progress (at most {@code grace} each), and writes the counters. */
    public void stop(Duration grace) {
        if (sender != null) {
            sender.stop(grace);
        }
        if (timer != null) {
            timer.stop(grace);
        }
        metrics.flush();
    }
}
