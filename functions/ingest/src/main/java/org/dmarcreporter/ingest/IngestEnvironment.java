package org.dmarcreporter.ingest;

import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;

/**
 * What the ingest function reads from its environment ({@code template.yaml} sets it): the
 * reporting settings of {@code docs/settings.md} as upper-snake-case variables, and the table names.
 */
final class IngestEnvironment {

    static final String REPORTS_TABLE = "REPORTS_TABLE";
    static final String FAILURE_CANDIDATES_TABLE = "FAILURE_CANDIDATES_TABLE";

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
            Map.entry("dedupeMessageIds", "DEDUPE_MESSAGE_IDS"));

    private final Function<String, String> env;

    IngestEnvironment(Function<String, String> env) {
        this.env = env;
    }

    /**
     * The settings; an empty variable means "the documented default" (the template passes
     * optional parameters through as empty strings).
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
        return required(REPORTS_TABLE, "the DynamoDB table of counters and ingest bookkeeping");
    }

    String failureCandidatesTable() {
        return required(FAILURE_CANDIDATES_TABLE, "the DynamoDB table of failure-report candidates");
    }

    private String required(String variable, String what) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: " + what);
        }
        return value.trim();
    }
}
