package org.dmarcreporter.failure;

import java.util.Map;
import java.util.function.Function;
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
    static final Map<String, String> SETTING_VARIABLES = Map.ofEntries(
            Map.entry("orgName", "ORG_NAME"),
            Map.entry("contactEmail", "CONTACT_EMAIL"),
            Map.entry("sendAggregateReports", "SEND_AGGREGATE_REPORTS"),
            Map.entry("sendFailureReports", "SEND_FAILURE_REPORTS"),
            Map.entry("maxReportRecipients", "MAX_REPORT_RECIPIENTS"),
            Map.entry("copyReportsTo", "COPY_REPORTS_TO"),
            Map.entry("extraContactInfo", "EXTRA_CONTACT_INFO"),
            Map.entry("returnPath", "RETURN_PATH"),
            Map.entry("reportFormat", "REPORT_FORMAT"),
            Map.entry("ignoreRecipients", "IGNORE_RECIPIENTS"),
            Map.entry("dedupeMessageIds", "DEDUPE_MESSAGE_IDS"),
            Map.entry("failureReportRedaction", "FAILURE_REPORT_REDACTION"),
            Map.entry("failureReportRedactionSecret", "FAILURE_REPORT_REDACTION_SECRET"),
            Map.entry("failureReportHeaders", "FAILURE_REPORT_HEADERS"),
            Map.entry("failureReportsPerDestinationPerHour", "FAILURE_REPORTS_PER_DESTINATION_PER_HOUR"),
            Map.entry("failureReportsPerMinute", "FAILURE_REPORTS_PER_MINUTE"),
            Map.entry("failureReportMergeSeconds", "FAILURE_REPORT_MERGE_SECONDS"));

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
        return SettingsReader.read(key -> {
            String variable = SETTING_VARIABLES.get(key);
            return variable == null ? null : env.apply(variable);
        });
    }

    String reportsTable() {
        return required(REPORTS_TABLE, "the DynamoDB table that holds the failure-report send markers");
    }

    String flushQueueUrl() {
        return required(FLUSH_QUEUE_URL, "the SQS queue that delays the flushes of merged failure reports");
    }

    private String required(String variable, String what) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: " + what);
        }
        return value.trim();
    }
}
