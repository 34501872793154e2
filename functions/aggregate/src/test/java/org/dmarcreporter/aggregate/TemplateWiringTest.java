package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** template.yaml names what this module builds: handlers, jar, variables, the event source's settings. */
class TemplateWiringTest {

    static final String TEMPLATE = read();

    static String read() {
        try {
            return Files.readString(Path.of("../../template.yaml"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        Matcher m = Pattern.compile("\\n  " + name + ":\\n(.*?)(?=\\n  [A-Za-z]+:\\n|\\nOutputs:)", Pattern.DOTALL)
                .matcher(TEMPLATE);
        assertThat(m.find()).as(name + " in template.yaml").isTrue();
        return m.group(1);
    }

    @Test
    void bothFunctionsRunTheShadedJarWithTheirHandlerAndTheQueueAndPaceSettings() {
        String aggregate = resource("AggregateFunction");
        String worker = resource("ReportWorkerFunction");
        assertThat(aggregate)
                .contains("CodeUri: functions/aggregate/target/dmarc-aggregate.jar")
                .contains("Handler: " + AggregateHandler.class.getName() + "::handleRequest")
                .contains("Schedule: cron(0 0 * * ? *)");
        assertThat(worker)
                .contains("CodeUri: functions/aggregate/target/dmarc-aggregate.jar")
                .contains("Handler: " + ReportWorkerHandler.class.getName() + "::handleRequest");
        assertThat(resource("ReportWorkEventSource"))
                .contains("FunctionName: !Ref ReportWorkerFunction")
                .contains("EventSourceArn: !GetAtt ReportWorkQueue.Arn")
                .contains("FunctionResponseTypes: [ReportBatchItemFailures]")
                .contains("MaximumConcurrency: !Ref ReportWorkerMaxConcurrency");
        for (String variable : new String[] {
            AggregateEnvironment.WORK_QUEUE_URL,
            AggregateEnvironment.SENDS_PER_SECOND,
            AggregateEnvironment.SEND_NOW_CONCURRENCY,
            AggregateEnvironment.SES_CONFIGURATION_SET
        }) {
            assertThat(aggregate).contains(variable + ":");
            assertThat(worker).contains(variable + ":");
        }
    }

    @Test
    void everySettingAndTheTableReachTheFunctionsThroughGlobals() {
        String globals = TEMPLATE.substring(TEMPLATE.indexOf("\nGlobals:"), TEMPLATE.indexOf("\nResources:"));
        AggregateEnvironment.SETTING_VARIABLES
                .values()
                .forEach(v -> assertThat(globals).contains(v + ":"));
        assertThat(globals).contains(AggregateEnvironment.REPORTS_TABLE + ": !Ref ReportsTable");
    }

    @Test
    void theWorkerTimeoutFitsTheQueueVisibilityAndTheDeadLetterQueueIsWired() {
        Matcher timeout = Pattern.compile("Timeout: (\\d+)").matcher(resource("ReportWorkerFunction"));
        assertThat(timeout.find()).isTrue();
        Matcher visibility = Pattern.compile("VisibilityTimeout: (\\d+)").matcher(resource("ReportWorkQueue"));
        assertThat(visibility.find()).isTrue();
        assertThat(Integer.parseInt(visibility.group(1)))
                .isGreaterThanOrEqualTo(6 * Integer.parseInt(timeout.group(1)));
        assertThat(resource("ReportWorkQueue"))
                .contains("deadLetterTargetArn: !GetAtt ReportDeadLetterQueue.Arn")
                .contains("maxReceiveCount: !Ref ReportWorkMaxReceiveCount");
    }
}
