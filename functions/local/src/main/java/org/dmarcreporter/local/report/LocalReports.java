package org.dmarcreporter.local.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.RunOptions;
import org.dmarcreporter.core.report.run.RunRequest;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.local.Main;

/**
 * The aggregate runs of one local runtime ({@code docs/send-now.md}): send-now (from HTTP or the
 * {@code send-now} command) and the scheduled run (midnight, start-up catch-up, retries). Runs
 * never overlap: one waits for the other, so a window is never reported by two runs at once.
 *
 * <p>Send-now waits for no settle time: the store writes the cut under the lock that every
 * ingest takes, so once the cut is written no result can still land in the windows it ended.
 * Midnight ends a window the same way: the store puts each result in the window open at its
 * commit (a batch stamped before midnight and committed after it counts in the new day), so no
 * result lands in a window a run has read. Scheduled runs still read a window
 * {@link #SCHEDULED_SETTLE} after its end.
 */
public final class LocalReports {

    /** How long after a window's end a scheduled run reads it. */
    public static final Duration SCHEDULED_SETTLE = Duration.ofSeconds(5);

    /**
     * Windows a run works on at once: enough to overlap rendering on the CPUs with waiting for the
     * relay's replies. Every ledger read and write is one statement (or one transaction) under the
     * store's lock, so windows worked on in parallel never see each other half-written.
     */
    public static final int CONCURRENCY = 8;

    private final AggregateRun sendNow;
    private final AggregateRun scheduled;
    private final boolean canSend;
    private final boolean needsTransport;

    /**
     * @param transport empty when the runtime has no {@code --outbox} or {@code --smtp}: then only dry
     *                  runs are possible and reports stay pending, unless {@code sendAggregateReports}
     *                  is false: then runs send nothing and need no transport ({@link #canRun})
     */
    public LocalReports(
            ReportLedger ledger,
            DnsResolver dns,
            Optional<MailTransport> transport,
            ReportingSettings settings,
            Clock clock) {
        Objects.requireNonNull(ledger, "ledger");
        this.canSend = transport.isPresent();
        this.needsTransport = settings.sendAggregateReports();
        MailTransport mail = transport.orElse(NoTransport.INSTANCE);
        ReportDestinations destinations = new ReportDestinations(dns);
        RunOptions options = RunOptions.defaults(settings.orgName())
                .withGeneratorVersion(Main.version())
                .withSettle(Duration.ZERO)
                .withConcurrency(CONCURRENCY);
        AggregateRun.Pause pause = d -> Thread.sleep(d.toMillis());
        this.sendNow = new AggregateRun(ledger, destinations, mail, settings, options, clock, pause);
        this.scheduled = new AggregateRun(
                ledger, destinations, mail, settings, options.withSettle(SCHEDULED_SETTLE), clock, pause);
    }

    /** False when there is no mail transport. */
    public boolean canSend() {
        return canSend;
    }

    /**
     * Whether runs other than dry runs are possible: with a transport, or without one when
     * {@code sendAggregateReports} is false, since such a run sends nothing: it marks each ended
     * window {@code not-sent} (AggregateRun), so that none stays pending (docs/send-now.md).
     */
    public boolean canRun() {
        return canSend || !needsTransport;
    }

    /**
     * Send-now: cuts the open windows (of {@code domain}, or all when null) and reports every
     * ended window; with {@code dryRun} writes the messages into that folder instead, sending,
     * cutting and marking nothing.
     *
     * @throws NoTransportException when there is no transport, reports are to be sent and this is
     *     not a dry run
     * @throws IOException          when the dry-run folder cannot be created
     */
    public synchronized RunSummary sendNow(String domain, Path dryRun) throws IOException {
        if (dryRun == null) {
            requireTransport();
            return sendNow.run(RunRequest.sendNow(domain), null);
        }
        Files.createDirectories(dryRun);
        return sendNow.run(new RunRequest(true, domain, true), folder(dryRun));
    }

    /** The midnight run, which is also the catch-up of missed midnights and the retry of failed recipients. */
    public synchronized RunSummary scheduled() {
        requireTransport();
        return scheduled.run(RunRequest.midnight(), null);
    }

    private void requireTransport() {
        if (!canRun()) {
            throw new NoTransportException();
        }
    }

    /** Writes each message as {@code name} in {@code dir}, whole or not at all. */
    static AggregateRun.DryRunSink folder(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        return (name, mail) -> {
            Path target = base.resolve(name).normalize();
            if (!base.equals(target.getParent())) {
                throw new IOException("'" + name + "' is not a plain file name");
            }
            Path temp = Files.createTempFile(base, ".dry-run-", ".part");
            try {
                Files.write(temp, mail.message());
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        };
    }

    /** Sending asked of a runtime started without {@code --outbox} or {@code --smtp}. */
    public static final class NoTransportException extends IllegalStateException {
        public NoTransportException() {
            super("no mail transport: this runtime was started without --outbox DIR or --smtp HOST:PORT,"
                    + " so reports are not sent (they stay pending); a dry run still works");
        }
    }

    /**
     * Stands in for the transport where none is configured; the runs above never reach it (without
     * a transport they run only with {@code sendAggregateReports} false, and then send nothing).
     */
    private enum NoTransport implements MailTransport {
        INSTANCE;

        @Override
        public org.dmarcreporter.core.report.delivery.Delivery send(
                org.dmarcreporter.core.report.mail.OutgoingMail mail) {
            throw new NoTransportException();
        }
    }
}
