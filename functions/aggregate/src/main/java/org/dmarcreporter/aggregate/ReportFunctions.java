package org.dmarcreporter.aggregate;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.RunOptions;
import org.dmarcreporter.core.settings.ReportingSettings;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Everything the two aggregate handlers share, built once per container from the environment:
 * the core run over the ledger and the paced mail transport, the fan-out and the work queue.
 * A bad setting fails the init, so Lambda starts afresh instead of running half-configured.
 *
 * @param queueUrl the work queue's URL
 */
record ReportFunctions(
        AggregateRun run,
        FanOut fanOut,
        ReportLedger ledger,
        SqsClient sqs,
        String queueUrl,
        RunOptions options,
        Clock clock) {

    ReportFunctions {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(fanOut, "fanOut");
        Objects.requireNonNull(sqs, "sqs");
        Objects.requireNonNull(queueUrl, "queueUrl");
    }

    /**
     * @param transport the mail transport (SES in AWS); it is paced to {@code SENDS_PER_SECOND} here
     * @param pause     the settle wait of send-now and of the midnight fan-out ({@code Thread::sleep} in AWS)
     */
    static ReportFunctions fromEnvironment(
            Function<String, String> env,
            ReportLedger ledger,
            MailTransport transport,
            SqsClient sqs,
            DnsResolver dns,
            Clock clock,
            AggregateRun.Pause pause) {
        AggregateEnvironment environment = new AggregateEnvironment(env);
        ReportingSettings settings = environment.settings();
        RunOptions options = RunOptions.defaults(settings.orgName())
                .withConcurrency(environment.sendNowConcurrency())
                .withGeneratorVersion(ReportFunctions.class.getPackage().getImplementationVersion());
        MailTransport paced = PacedTransport.wallClock(transport, environment.sendsPerSecond());
        AggregateRun run =
                new AggregateRun(ledger, new ReportDestinations(dns), paced, settings, options, clock, pause);
        String queueUrl = environment.workQueueUrl();
        FanOut fanOut =
                new FanOut(ledger, new SqsWorkQueue(sqs, queueUrl), clock, pause, options.settle(), options.pageSize());
        return new ReportFunctions(run, fanOut, ledger, sqs, queueUrl, options, clock);
    }
}
