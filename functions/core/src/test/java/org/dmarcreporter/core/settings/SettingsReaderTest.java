package org.dmarcreporter.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

    @Test
    void appliesTheContractDefaults() {
        ReportingSettings s = SettingsReader.read(Map.of("orgName", "Reporter.Example", "contactEmail", "a@reporter.example"));

        assertThat(s.sendAggregateReports()).isTrue();
        assertThat(s.sendFailureReports()).isTrue();
        assertThat(s.maxReportRecipients()).isZero();
        assertThat(s.copyReportsTo()).isEmpty();
        assertThat(s.orgName()).isEqualTo("reporter.example");
        assertThat(s.returnPath()).isEqualTo("noreply@reporter.example");
        assertThat(s.reportFormat()).isEqualTo(ReportFormat.RFC9990);
        assertThat(s.dedupeMessageIds()).isTrue();
    }

    @Test
    void readsListsFromCommaSeparatedTextOrYamlLists() {
        ReportingSettings s = SettingsReader.read(Map.of("orgName", "r.example",
                "contactEmail", List.of("a@r.example", "b@r.example"),
                "copyReportsTo", " x@r.example , y@r.example ",
                "ignoreRecipients", "DMARC@r.example",
                "maxReportRecipients", 2, "reportFormat", "rfc7489", "dedupeMessageIds", false));

        assertThat(s.contactEmail()).containsExactly("a@r.example", "b@r.example");
        assertThat(s.copyReportsTo()).containsExactly("x@r.example", "y@r.example");
        assertThat(s.onlyIgnoredRecipients(List.of("<dmarc@R.example>"))).isTrue();
        assertThat(s.onlyIgnoredRecipients(List.of("dmarc@r.example", "someone@r.example"))).isFalse();
        assertThat(s.maxReportRecipients()).isEqualTo(2);
        assertThat(s.reportFormat()).isEqualTo(ReportFormat.RFC7489);
        assertThat(s.dedupeMessageIds()).isFalse();
    }

    @Test
    void namesTheKeyOfABadOrMissingValue() {
        assertThatThrownBy(() -> SettingsReader.read(Map.of("contactEmail", "a@r.example")))
                .hasMessageContaining("orgName");
        assertThatThrownBy(() -> SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example",
                "reportFormat", "xml")))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("reportFormat");
        assertThatThrownBy(() -> SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", "a@r.example",
                "maxReportRecipients", "-1")))
                .hasMessageContaining("maxReportRecipients");
    }
}
