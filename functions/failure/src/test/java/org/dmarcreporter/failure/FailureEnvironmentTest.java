package org.dmarcreporter.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.dmarcreporter.core.settings.FailureReportSettings;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.junit.jupiter.api.Test;

class FailureEnvironmentTest {

    private final Map<String, String> env = new HashMap<>(Map.of(
            "ORG_NAME", "reporter.example",
            "CONTACT_EMAIL", "dmarc@reporter.example",
            "REPORTS_TABLE", " reports ",
            "FAILURE_FLUSH_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/flush"));

    @Test
    void theFailureSettingsComeFromTheirVariables() {
        env.put("FAILURE_REPORT_REDACTION", "false");
        env.put("FAILURE_REPORT_HEADERS", "essential");
        env.put("FAILURE_REPORTS_PER_DESTINATION_PER_HOUR", "7");
        env.put("FAILURE_REPORTS_PER_MINUTE", "70");
        env.put("FAILURE_REPORT_MERGE_SECONDS", "900");

        FailureReportSettings f = new FailureEnvironment(env::get).settings().failureReports();

        assertThat(f.redaction()).isFalse();
        assertThat(f.headers()).isEqualTo(FailureReportSettings.Headers.ESSENTIAL);
        assertThat(f.perDestinationPerHour()).isEqualTo(7);
        assertThat(f.perMinute()).isEqualTo(70);
        assertThat(f.mergeSeconds()).isEqualTo(900);
    }

    @Test
    void emptyVariablesGetTheDefaultsAsTheTemplatePassesThem() {
        for (String v : FailureEnvironment.SETTING_VARIABLES.values()) {
            env.putIfAbsent(v, "");
        }
        ReportingSettings s = new FailureEnvironment(env::get).settings();
        assertThat(s.failureReports().mergeSeconds()).isEqualTo(FailureReportSettings.DEFAULT_MERGE_SECONDS);
        assertThat(s.failureReports().redactionSecret()).isNull();
        assertThat(s.returnPath()).isEqualTo("noreply@reporter.example");
    }

    @Test
    void aBadSettingIsNamed() {
        env.put("FAILURE_REPORT_MERGE_SECONDS", "901");
        assertThatThrownBy(() -> new FailureEnvironment(env::get).settings())
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("failureReportMergeSeconds");
    }

    @Test
    void theTableAndQueueAreRequired() {
        assertThat(new FailureEnvironment(env::get).reportsTable()).isEqualTo("reports");
        env.remove("FAILURE_FLUSH_QUEUE_URL");
        assertThatThrownBy(() -> new FailureEnvironment(env::get).flushQueueUrl())
                .hasMessageStartingWith("FAILURE_FLUSH_QUEUE_URL is not set");
    }

    @Test
    void theSenderIsNoreplyInTheOrgDomainWithTheReturnPathAsEnvelope() {
        env.put("RETURN_PATH", "bounces@reporter.example");
        var sender = FailureFunction.sender(new FailureEnvironment(env::get).settings());
        assertThat(sender.from()).isEqualTo("noreply@reporter.example");
        assertThat(sender.returnPath()).isEqualTo("bounces@reporter.example");
        assertThat(sender.userAgent()).startsWith("dmarc-reporter/");
    }
}
