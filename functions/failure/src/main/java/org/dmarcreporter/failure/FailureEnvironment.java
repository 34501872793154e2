package org.dmarcreporter.failure;

import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.aws.FunctionEnvironment;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * What the failure function reads from its environment ({@code template.yaml} sets it): the
 * reporting settings of {@code docs/settings.md} as upper-snake-case variables, the failure-report
 * settings (only this function gets them, the redaction secret included), the ReportsTable name
 * and the flush queue's URL.
 */
final class FailureEnvironment {

    static final String REPORTS_TABLE = "REPORTS_TABLE";
    static final String FLUSH_QUEUE_URL = "FAILURE_FLUSH_QUEUE_URL";

    /** Setting key → environment variable ({@code docs/settings.md}). */
    static final Map<String, String> SETTING_VARIABLES = FunctionEnvironment.withFailureReportVariables();

    private final Function<String, String> env;

    FailureEnvironment(Function<String, String> env) {
        this.env = env;
    }

    /**
     * The settings; an empty variable means "the documented default".
     *
     * @throws SettingsReader.InvalidSettingException naming the setting
     */
    ReportingSettings settings() {
        return FunctionEnvironment.settings(env, SETTING_VARIABLES);
    }

    String reportsTable() {
        return required(REPORTS_TABLE, "the DynamoDB table that holds the failure-report send markers");
    }

    String flushQueueUrl() {
        return required(FLUSH_QUEUE_URL, "the SQS queue that delays the flushes of merged failure reports");
    }

    private String required(String variable, String what) {
        return FunctionEnvironment.required(env, variable, what);
    }
}
