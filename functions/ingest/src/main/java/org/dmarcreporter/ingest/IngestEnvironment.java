package org.dmarcreporter.ingest;

import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.aws.FunctionEnvironment;
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
    static final Map<String, String> SETTING_VARIABLES = FunctionEnvironment.REPORTING_VARIABLES;

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
        return FunctionEnvironment.settings(env, SETTING_VARIABLES);
    }

    String reportsTable() {
        return required(REPORTS_TABLE, "the DynamoDB table of counters and ingest bookkeeping");
    }

    String failureCandidatesTable() {
        return required(FAILURE_CANDIDATES_TABLE, "the DynamoDB table of failure-report candidates");
    }

    private String required(String variable, String what) {
        return FunctionEnvironment.required(env, variable, what);
    }
}
