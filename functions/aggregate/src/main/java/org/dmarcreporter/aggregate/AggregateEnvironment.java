package org.dmarcreporter.aggregate;

import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.aws.FunctionEnvironment;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * What the aggregate functions read from their environment ({@code template.yaml} sets it): the
 * reporting settings of {@code docs/settings.md} as upper-snake-case variables (the same names
 * as the ingest function's), the table, the work queue and the sending pace
 * ({@code docs/aggregate-reports.md}, "In AWS").
 */
final class AggregateEnvironment {

    static final String REPORTS_TABLE = "REPORTS_TABLE";
    static final String WORK_QUEUE_URL = "WORK_QUEUE_URL";
    static final String SENDS_PER_SECOND = "SENDS_PER_SECOND";
    static final String SEND_NOW_CONCURRENCY = "SEND_NOW_CONCURRENCY";
    static final String SES_CONFIGURATION_SET = "SES_CONFIGURATION_SET";

    /** Setting key → environment variable ({@code docs/settings.md}); as in the ingest function. */
    static final Map<String, String> SETTING_VARIABLES = FunctionEnvironment.REPORTING_VARIABLES;

    private final Function<String, String> env;

    AggregateEnvironment(Function<String, String> env) {
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
        return required(REPORTS_TABLE, "the DynamoDB table of counters and report state");
    }

    String workQueueUrl() {
        return required(WORK_QUEUE_URL, "the SQS queue the midnight run puts one message per window on");
    }

    /** SES calls per second one process may make (each is one recipient); default 5. */
    double sendsPerSecond() {
        String value = optional(SENDS_PER_SECOND);
        if (value == null) {
            return 5;
        }
        try {
            double rate = Double.parseDouble(value);
            if (rate > 0 && rate <= 1000) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(
                SENDS_PER_SECOND + " must be a number of SES calls per second, 0 < n <= 1000: '" + value + "'");
    }

    /** Windows a synchronous send-now reports at once; default 4. */
    int sendNowConcurrency() {
        String value = optional(SEND_NOW_CONCURRENCY);
        if (value == null) {
            return 4;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(SEND_NOW_CONCURRENCY + " must be a whole number from 1 to 64: '" + value + "'");
    }

    /** An SES configuration set for report mail, or null. */
    String sesConfigurationSet() {
        return optional(SES_CONFIGURATION_SET);
    }

    private String optional(String variable) {
        String value = env.apply(variable);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private String required(String variable, String what) {
        return FunctionEnvironment.required(env, variable, what);
    }
}
