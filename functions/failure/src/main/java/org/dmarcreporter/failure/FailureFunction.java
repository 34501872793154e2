package org.dmarcreporter.failure;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.aws.dynamodb.DynamoDbFailureLedger;
import org.dmarcreporter.aws.metrics.EmbeddedFailureMetrics;
import org.dmarcreporter.aws.ses.SesTransport;
import org.dmarcreporter.aws.sqs.SqsFlushScheduler;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.report.arf.ArfMessage;
import org.dmarcreporter.core.report.dispatch.FailureDispatcher;
import org.dmarcreporter.core.report.dispatch.FlushScheduler;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.routing.FailureReportPlanner;
import org.dmarcreporter.core.settings.ReportingSettings;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The failure sender as both handlers of the function build it, once per container: the core's
 * {@link FailureDispatcher} over the AWS adapters (ledger in ReportsTable, SES mail, SQS flushes,
 * embedded metrics), the settings from the environment, DNS through the caching resolver.
 */
final class FailureFunction {

    /** {@code User-Agent} product name of the reports (RFC 5965 §3.1). */
    static final String PRODUCT = "dmarc-reporter";

    private final FailureDispatcher dispatcher;
    private final FlushScheduler scheduler;
    private final EmbeddedFailureMetrics metrics;
    private final Clock clock;

    FailureFunction(
            FailureDispatcher dispatcher, FlushScheduler scheduler, EmbeddedFailureMetrics metrics, Clock clock) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What Lambda runs: the process environment, the AWS endpoints, the system DNS resolver. */
    static FailureFunction fromProcess(String trigger) {
        AwsClients clients = AwsClients.fromEnvironment();
        return fromEnvironment(
                System::getenv,
                CachingDnsResolver.system(),
                clients.dynamoDb(),
                clients.sesV2(),
                clients.sqs(),
                Clock.systemUTC(),
                trigger,
                System.out::println);
    }

    /**
     * The function as built from any environment (tests pass a map, a zone-file DNS and moto's
     * clients).
     *
     * @param trigger    the metrics' {@code Trigger} dimension: {@code stream} or {@code flush}
     * @param metricsOut where the metrics line of each invocation goes (the log)
     * @throws org.dmarcreporter.core.settings.SettingsReader.InvalidSettingException naming a bad setting
     * @throws IllegalStateException naming a missing variable
     */
    static FailureFunction fromEnvironment(
            Function<String, String> env,
            DnsResolver dns,
            DynamoDbClient db,
            SesV2Client ses,
            SqsClient sqs,
            Clock clock,
            String trigger,
            Consumer<String> metricsOut) {
        FailureEnvironment environment = new FailureEnvironment(env);
        ReportingSettings settings = environment.settings();
        EmbeddedFailureMetrics metrics = new EmbeddedFailureMetrics(Map.of("Trigger", trigger), metricsOut, clock);
        FlushScheduler scheduler = new SqsFlushScheduler(sqs, environment.flushQueueUrl(), clock);
        FailureDispatcher dispatcher = new FailureDispatcher(
                new FailureReportPlanner(dns, Sampler.byKey(), settings.orgName()),
                new SesTransport(ses),
                new DynamoDbFailureLedger(db, environment.reportsTable()),
                scheduler,
                metrics,
                settings,
                sender(settings));
        return new FailureFunction(dispatcher, scheduler, metrics, clock);
    }

    /**
     * From {@code noreply@<orgName>} (in orgName, so the report passes DMARC itself, RFC 9991 §5.1),
     * the envelope sender {@code returnPath} (an SES-verified identity), User-Agent with the
     * jar's version.
     */
    static ArfMessage.Sender sender(ReportingSettings settings) {
        return new ArfMessage.Sender(
                "noreply@" + settings.orgName(), settings.returnPath(), settings.orgName(), PRODUCT + "/" + version());
    }

    static String version() {
        String v = FailureFunction.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    FailureDispatcher dispatcher() {
        return dispatcher;
    }

    FlushScheduler scheduler() {
        return scheduler;
    }

    EmbeddedFailureMetrics metrics() {
        return metrics;
    }

    long now() {
        return clock.instant().getEpochSecond();
    }
}
