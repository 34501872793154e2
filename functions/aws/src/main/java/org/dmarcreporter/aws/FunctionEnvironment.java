package org.dmarcreporter.aws;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * The environment variables the Lambda functions share ({@code template.yaml} sets them): each
 * reporting setting of {@code docs/settings.md} as an upper-snake-case variable, and the checks
 * of required variables. One list, so the functions never disagree on a name.
 */
public final class FunctionEnvironment {

    /** Setting key → environment variable, for every function. */
    public static final Map<String, String> REPORTING_VARIABLES = Map.ofEntries(
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
            Map.entry("dedupeMessageIds", "DEDUPE_MESSAGE_IDS"));

    /** The failure-report settings, which only the failure functions get. */
    public static final Map<String, String> FAILURE_REPORT_VARIABLES = Map.ofEntries(
            Map.entry("failureReportRedaction", "FAILURE_REPORT_REDACTION"),
            Map.entry("failureReportRedactionSecret", "FAILURE_REPORT_REDACTION_SECRET"),
            Map.entry("failureReportHeaders", "FAILURE_REPORT_HEADERS"),
            Map.entry("failureReportsPerDestinationPerHour", "FAILURE_REPORTS_PER_DESTINATION_PER_HOUR"),
            Map.entry("failureReportsPerMinute", "FAILURE_REPORTS_PER_MINUTE"),
            Map.entry("failureReportMergeSeconds", "FAILURE_REPORT_MERGE_SECONDS"));

    private FunctionEnvironment() {}

    /** {@link #REPORTING_VARIABLES} and {@link #FAILURE_REPORT_VARIABLES} together. */
    public static Map<String, String> withFailureReportVariables() {
        Map<String, String> all = new HashMap<>(REPORTING_VARIABLES);
        all.putAll(FAILURE_REPORT_VARIABLES);
        return Map.copyOf(all);
    }

    /**
     * The settings read through {@code variables}; an empty variable means "the documented
     * default" (the template passes optional parameters through as empty strings).
     *
     * @throws SettingsReader.InvalidSettingException naming the setting
     */
    public static ReportingSettings settings(Function<String, String> env, Map<String, String> variables) {
        return SettingsReader.read(key -> {
            String variable = variables.get(key);
            return variable == null ? null : env.apply(variable);
        });
    }

    /** The trimmed value of a variable that must be set; else an error saying what it is for. */
    public static String required(Function<String, String> env, String variable, String what) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: " + what);
        }
        return value.trim();
    }
}
