package org.dmarcreporter.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.failurereports.FailureReports;
import org.dmarcreporter.local.http.IngestHttpServer;
import org.dmarcreporter.local.http.IngestHttpServer.Route;
import org.dmarcreporter.local.http.ReportsEndpoints;
import org.dmarcreporter.local.mail.SmtpTransport;
import org.dmarcreporter.local.report.LocalReports;
import org.dmarcreporter.local.report.ReportSchedule;
import org.dmarcreporter.local.store.SqliteReportLedger;
import org.dmarcreporter.local.store.SqliteResultStore;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code serve}: settings, DNS, mail, the SQLite store, the ingest service, the report
 * routes and the HTTP edge, plus the hourly purge of expired rows and the report schedule. {@link #stop()} takes them down in the reverse order.
 */
public final class LocalRuntime {

    /** How long requests in progress may take to finish when stopping. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** How often expired rows are deleted (TTL semantics, like DynamoDB's). */
    static final Duration PURGE_EVERY = Duration.ofHours(1);

    /**
     * {@code -Ddmarc.sqlite.synchronous=NORMAL} trades power-loss durability for speed; the
     * default, FULL, syncs every commit. See {@link Durability}.
     */
    static final String DURABILITY_PROPERTY = "dmarc.sqlite.synchronous";

    private static final Logger LOG = LoggerFactory.getLogger(LocalRuntime.class);

    private final Base base;
    private final Path dataDir;
    private final IngestHttpServer server;
    private final ScheduledExecutorService purger;
    private final ReportSchedule schedule;
    private final FailureReports failureReports;
    private boolean stopped;

    private LocalRuntime(
            Base base,
            Path dataDir,
            IngestHttpServer server,
            ScheduledExecutorService purger,
            ReportSchedule schedule,
            FailureReports failureReports) {
        this.base = base;
        this.dataDir = dataDir;
        this.server = server;
        this.purger = purger;
        this.schedule = schedule;
        this.failureReports = failureReports;
    }

    /**
     * What {@code serve} and a {@code send-now} without a running serve share: the settings, DNS,
     * the mail transport, the open store and its report ledger, and the report runs over them.
     */
    static final class Base implements AutoCloseable {
        final ConfigFile.LocalConfig config;
        final DnsResolver dns;
        final MailSetup mail;
        final Durability durability;
        final SqliteResultStore store;
        final SqliteReportLedger ledger;
        final LocalReports reports;

        private Base(
                ConfigFile.LocalConfig config,
                DnsResolver dns,
                MailSetup mail,
                Durability durability,
                SqliteResultStore store,
                Clock clock) {
            this.config = config;
            this.dns = dns;
            this.mail = mail;
            this.durability = durability;
            this.store = store;
            this.ledger = new SqliteReportLedger(store);
            this.reports = new LocalReports(ledger, dns, mail.transport(), config.settings(), clock);
        }

        /**
         * Checks the options and opens the store.
         *
         * @throws UsageException              for options or files we cannot use (exit 2)
         * @throws StoreUnavailableException when the data folder is in use or cannot be opened (exit 1)
         */
        static Base open(Serve options, Clock clock, Map<String, String> environment) {
            ConfigFile.LocalConfig config = settings(options.config());
            MailSetup mail = MailSetup.from(options, config.smtp(), environment);
            DnsResolver dns = resolver(options);
            Durability durability = durability();
            Folders.prepare("--data-dir", options.dataDir());
            SqliteResultStore store = SqliteResultStore.open(options.dataDir(), clock, durability);
            try {
                return new Base(config, dns, mail, durability, store, clock);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }

        @Override
        public void close() {
            // the kept SMTP connections say QUIT before the store goes
            mail.transport().ifPresent(t -> {
                if (t instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // closing idle connections: nothing is lost when it fails
                    }
                }
            });
            store.close();
        }
    }

    /** {@link #start(Serve, Clock, Map)} on the system clock and environment. */
    public static LocalRuntime start(Serve options) throws IOException {
        return start(options, Clock.systemUTC(), System.getenv());
    }

    /**
     * Checks the options, opens the store, starts answering, writes {@code serve.json} and starts
     * the report schedule (when there is a mail transport).
     *
     * @param clock       what ingest, the store and the schedule read the time from
     * @param environment for the SMTP credentials
     * @throws UsageException for options or files we cannot use (exit 2)
     * @throws IOException    when the port cannot be bound
     */
    static LocalRuntime start(Serve options, Clock clock, Map<String, String> environment) throws IOException {
        Base base = Base.open(options, clock, environment);
        ReportingSettings settings = base.config.settings();
        FailureReports failureReports;
        try {
            failureReports = FailureReports.start(
                    base.store,
                    settings,
                    base.dns,
                    base.mail.transport(),
                    clock,
                    options.dataDir(),
                    "dmarc-reporter/" + Main.version());
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
        IngestHttpServer server;
        try {
            IngestService ingest = new IngestService(
                    new DmarcEvaluator(base.dns), failureReports.wakingOnCandidates(base.store), settings, clock);
            int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            List<Route> routes = new ArrayList<>();
            routes.add(Route.results(ingest::handle));
            routes.addAll(new ReportsEndpoints(
                            base.reports,
                            base.ledger,
                            clock,
                            options.dataDir().resolve(DRY_RUN_FOLDER).toAbsolutePath(),
                            base.mail.description(),
                            settings.orgName())
                    .withFailureReports(failureReports.status()::json)
                    .routes());
            server = IngestHttpServer.start(options.port(), threads, IngestHttpServer.Limits.DEFAULT, routes);
        } catch (IOException | RuntimeException e) {
            failureReports.stop(STOP_GRACE);
            base.close();
            throw e;
        }
        try {
            new ServeFile(
                            ProcessHandle.current().pid(),
                            server.port(),
                            options.outbox() == null
                                    ? null
                                    : MailSetup.outboxOf(options).toString(),
                            options.smtp() == null
                                    ? null
                                    : options.smtp().host() + ":"
                                            + options.smtp().port())
                    .write(options.dataDir());
        } catch (IOException e) {
            server.stop(Duration.ZERO);
            failureReports.stop(STOP_GRACE);
            base.close();
            throw new StoreUnavailableException(
                    "cannot write " + options.dataDir().resolve(ServeFile.NAME) + ": " + Folders.why(e));
        }
        ScheduledExecutorService purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "purge-expired");
            t.setDaemon(true);
            return t;
        });
        SqliteResultStore store = base.store;
        purger.scheduleWithFixedDelay(
                () -> {
                    try {
                        store.purgeExpired();
                        failureReports.purgeExpired();
                    } catch (RuntimeException e) {
                        LOG.warn("purging expired rows failed; next try in {}", PURGE_EVERY, e);
                    }
                },
                0,
                PURGE_EVERY.toSeconds(),
                TimeUnit.SECONDS);
        LOG.info(
                "store {} (synchronous={}), DNS from {}, reporting as {}, mail: {}",
                store.file(),
                base.durability,
                options.zoneFiles().isEmpty() ? "the network" : options.zoneFiles(),
                settings.orgName(),
                base.mail.description());
        alignmentWarning(settings).ifPresent(LOG::warn);
        base.mail.transport().ifPresent(LocalRuntime::checkRelay);
        ReportSchedule schedule = null;
        if (base.reports.canRun()) {
            schedule = new ReportSchedule(base.reports, base.ledger::earliestRetryAfter, clock).start();
            LOG.info(
                    settings.sendAggregateReports()
                            ? "aggregate reports go out every day at 00:00 UTC; missed days are caught up now"
                            : "sendAggregateReports is false: no aggregate report is sent; ended windows are"
                                    + " marked not-sent every day at 00:00 UTC and now");
        } else {
            LOG.warn("no --outbox or --smtp: aggregate reports are not sent; they stay pending"
                    + " (GET /v1/reports lists them) until serve runs with one of them");
        }
        return new LocalRuntime(base, options.dataDir(), server, purger, schedule, failureReports);
    }

    /**
     * RFC 9990 §3.5.2: report mail must pass DMARC with alignment. With a returnPath outside
     * orgName SPF cannot align (relaxed alignment within one Organizational Domain aside), so the
     * operator is told at start that the relay must DKIM-sign for orgName's domain (docs/mail.md).
     */
    static Optional<String> alignmentWarning(ReportingSettings settings) {
        if (settings.returnPathUnderOrgName()) {
            return Optional.empty();
        }
        return Optional.of("returnPath " + settings.returnPath() + " is not in orgName "
                + settings.orgName() + ": report mail (From: noreply@" + settings.orgName()
                + ") passes DMARC only if SPF aligns relaxed within the same Organizational Domain or the"
                + " relay DKIM-signs it for " + settings.orgName() + " (RFC 9990 §3.5.2, docs/mail.md)");
    }

    /**
     * The relay check (docs/mail.md) on a thread of its own: serve answers at once, and a relay
     * that is slow to answer or down holds nothing up.
     */
    private static void checkRelay(MailTransport transport) {
        if (!(transport instanceof SmtpTransport smtp)) {
            return;
        }
        Thread check = new Thread(
                () -> {
                    try {
                        SmtpTransport.RelayCheck result = smtp.check();
                        if (!result.usable()) {
                            LOG.warn("{}; reports wait and are tried again on later runs", result.summary());
                        } else if (!result.tls()) {
                            LOG.warn("{}", result.summary());
                        } else {
                            LOG.info("{}", result.summary());
                        }
                    } catch (RuntimeException e) {
                        // only a check: sends find out for themselves
                        LOG.warn("relay check failed", e);
                    }
                },
                "relay-check");
        check.setDaemon(true);
        check.start();
    }

    /** Where {@code "dryRun": true} writes, inside the data folder. */
    static final String DRY_RUN_FOLDER = "dry-run";

    public int port() {
        return server.port();
    }

    /**
     * Removes {@code serve.json}, stops the HTTP edge (letting requests in progress finish), the
     * report schedule (letting a run in progress finish), then closes the store. Idempotent.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        long started = System.nanoTime();
        ServeFile.remove(dataDir);
        server.stop(STOP_GRACE);
        if (schedule != null) {
            schedule.stop(STOP_GRACE);
        }
        failureReports.stop(STOP_GRACE); // after ingest stopped, before the store closes
        purger.shutdownNow();
        try {
            purger.awaitTermination(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        base.close();
        LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    private static ConfigFile.LocalConfig settings(Path config) {
        if (config == null) {
            // orgName and contactEmail have no sensible defaults: reports would go out under a
            // made-up identity. Say how to get going instead.
            throw new UsageException("reporting needs settings: pass --config FILE with at least"
                    + " orgName and contactEmail (try --config events/local-config.yaml)");
        }
        try {
            return ConfigFile.readLocal(config);
        } catch (ConfigFile.BadConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static DnsResolver resolver(Serve options) {
        if (options.zoneFiles().isEmpty()) {
            return CachingDnsResolver.system();
        }
        for (Path file : options.zoneFiles()) {
            Folders.checkReadable("--zone-file", file);
        }
        try {
            return ZoneFileResolver.fromPaths(options.zoneFiles());
        } catch (IllegalArgumentException e) { // ZoneFileException names the file and line
            throw new UsageException(e.getMessage());
        }
    }

    private static Durability durability() {
        String value = System.getProperty(DURABILITY_PROPERTY, "FULL");
        try {
            return Durability.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(DURABILITY_PROPERTY + " must be FULL or NORMAL, not '" + value + "'");
        }
    }
}
