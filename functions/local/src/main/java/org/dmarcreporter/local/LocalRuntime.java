package org.dmarcreporter.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
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
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.failurereports.FailureReports;
import org.dmarcreporter.local.http.IngestHttpServer;
import org.dmarcreporter.local.mail.OutboxTransport;
import org.dmarcreporter.local.mail.SmtpSettings;
import org.dmarcreporter.local.mail.SmtpTransport;
import org.dmarcreporter.local.store.SqliteResultStore;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code serve}: settings, DNS, the SQLite store, the ingest service and the HTTP edge,
 * plus the hourly purge of expired rows. {@link #stop()} takes them down in the reverse order.
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

    private final SqliteResultStore store;
    private final IngestHttpServer server;
    private final ScheduledExecutorService purger;
    private final FailureReports failureReports;
    private boolean stopped;

    private LocalRuntime(
            SqliteResultStore store,
            IngestHttpServer server,
            ScheduledExecutorService purger,
            FailureReports failureReports) {
        this.store = store;
        this.server = server;
        this.purger = purger;
        this.failureReports = failureReports;
    }

    /**
     * Checks the options, opens the store and starts answering.
     *
     * @throws UsageException for options or files we cannot use (exit 2)
     * @throws IOException    when the port cannot be bound
     */
    public static LocalRuntime start(Serve options) throws IOException {
        ReportingSettings settings = settings(options.config());
        if (options.outbox() != null) {
            Folders.prepare("--outbox", options.outbox());
        }
        DnsResolver dns = resolver(options);
        Durability durability = durability();
        Folders.prepare("--data-dir", options.dataDir());
        Clock clock = Clock.systemUTC();
        SqliteResultStore store = SqliteResultStore.open(options.dataDir(), clock, durability);
        FailureReports failureReports;
        try {
            failureReports = FailureReports.start(
                    store,
                    settings,
                    dns,
                    failureMail(options),
                    clock,
                    options.dataDir(),
                    "dmarc-reporter/" + Main.version());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        IngestHttpServer server;
        try {
            IngestService ingest = new IngestService(
                    new DmarcEvaluator(dns), failureReports.wakingOnCandidates(store), settings, clock);
            int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            server = IngestHttpServer.start(options.port(), threads, ingest::handle);
        } catch (IOException | RuntimeException e) {
            failureReports.stop(STOP_GRACE);
            store.close();
            throw e;
        }
        ScheduledExecutorService purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "purge-expired");
            t.setDaemon(true);
            return t;
        });
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
                "store {} (synchronous={}), DNS from {}, reporting as {}",
                store.file(),
                durability,
                options.zoneFiles().isEmpty() ? "the network" : options.zoneFiles(),
                settings.orgName());
        if (options.outbox() != null || options.smtp() != null) {
            LOG.info("aggregate reports are not sent by this version yet; failure reports go out through"
                    + " --outbox/--smtp");
        }
        return new LocalRuntime(store, server, purger, failureReports);
    }

    public int port() {
        return server.port();
    }

    /** Stops the HTTP edge (letting requests in progress finish), then closes the store. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        long started = System.nanoTime();
        server.stop(STOP_GRACE);
        failureReports.stop(STOP_GRACE); // after ingest stopped, before the store closes
        purger.shutdownNow();
        try {
            purger.awaitTermination(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * The transport failure reports go out through ({@code --outbox} or {@code --smtp}, docs/mail.md),
     * until the runtime builds one transport for every kind of report.
     */
    private static Optional<MailTransport> failureMail(Serve options) {
        try {
            if (options.outbox() != null) {
                return Optional.of(OutboxTransport.create(options.outbox()));
            }
            if (options.smtp() != null) {
                return Optional.of(new SmtpTransport(SmtpSettings.defaults(
                                options.smtp().host(), options.smtp().port())
                        .withCredentials(SmtpSettings.credentialsFromEnvironment(System.getenv()))));
            }
        } catch (IOException e) {
            throw new UsageException("--outbox " + options.outbox() + " cannot be created: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage()); // half a credential
        }
        return Optional.empty();
    }

    private static ReportingSettings settings(Path config) {
        if (config == null) {
            // orgName and contactEmail have no sensible defaults: reports would go out under a
            // made-up identity. Say how to get going instead.
            throw new UsageException("serve needs reporting settings: pass --config FILE with at least"
                    + " orgName and contactEmail (try --config events/local-config.yaml)");
        }
        try {
            return ConfigFile.read(config);
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
