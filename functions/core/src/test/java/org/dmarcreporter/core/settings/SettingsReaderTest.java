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
        ReportingSettings s =
                SettingsReader.read(Map.of("orgName", "Reporter.Example", "contactEmail", "a@reporter.example"));

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
        ReportingSettings s = SettingsReader.read(Map.of(
                "orgName",
                "r.example",
                "contactEmail",
                List.of("a@r.example", "b@r.example"),
                "copyReportsTo",
                " x@r.example , y@r.example ",
                "ignoreRecipients",
                "DMARC@r.example",
                "maxReportRecipients",
                2,
                "reportFormat",
                "rfc7489",
                "dedupeMessageIds",
                false));

        assertThat(s.contactEmail()).containsExactly("a@r.example", "b@r.example");
        assertThat(s.copyReportsTo()).containsExactly("x@r.example", "y@r.example");
        assertThat(s.onlyIgnoredRecipients(List.of("<dmarc@R.example>"))).isTrue();
        assertThat(s.onlyIgnoredRecipients(List.of("dmarc@r.example", "someone@r.example")))
                .isFalse();
        assertThat(s.maxReportRecipients()).isEqualTo(2);
        assertThat(s.reportFormat()).isEqualTo(ReportFormat.RFC7489);
        assertThat(s.dedupeMessageIds()).isFalse();
    }

    @Test
    void namesTheKeyOfABadOrMissingValue() {
        assertThatThrownBy(() -> SettingsReader.read(Map.of("contactEmail", "a@r.example")))
                .hasMessageContaining("orgName");
        assertThatThrownBy(() -> SettingsReader.read(
                        Map.of("orgName", "r.example", "contactEmail", "a@r.example", "reportFormat", "xml")))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("reportFormat");
        assertThatThrownBy(() -> SettingsReader.read(
                        Map.of("orgName", "r.example", "contactEmail", "a@r.example", "maxReportRecipients", "-1")))
                .hasMessageContaining("maxReportRecipients");
    }

    @Test
    void aListEntryIsOneAddressEvenWithACommaInIt() {
        // RFC 5321 §4.1.2 allows a comma in a quoted local part; joining and splitting again broke it in two.
        ReportingSettings s = SettingsReader.read(Map.of(
                "orgName",
                "r.example",
                "contactEmail",
                List.of("\"Reports, DMARC\"@r.example", " b@r.example "),
                "copyReportsTo",
                List.of("\"x,y\"@r.example"),
                "ignoreRecipients",
                List.of("\"Loop, Guard\"@R.example")));

        assertThat(s.contactEmail()).containsExactly("\"Reports, DMARC\"@r.example", "b@r.example");
        assertThat(s.copyReportsTo()).containsExactly("\"x,y\"@r.example");
        assertThat(s.ignoreRecipients()).containsExactly("\"loop, guard\"@r.example");
    }

    @Test
    void environmentValuesAreCommaSeparatedLists() {
        Map<String, String> env = Map.of(
                "orgName",
                "r.example",
                "contactEmail",
                "a@r.example,,b@r.example ",
                "copyReportsTo",
                "",
                "ignoreRecipients",
                " Loop@r.example ");

        ReportingSettings s = SettingsReader.read(env::get);

        assertThat(s.contactEmail()).containsExactly("a@r.example", "b@r.example");
        assertThat(s.copyReportsTo()).isEmpty();
        assertThat(s.ignoreRecipients()).containsExactly("loop@r.example");
    }

    @Test
    void aListEntryThatIsNotAnAddressIsRefusedNamingIt() {
        List<Object> withNumber = List.of("a@r.example", 5);
        List<Object> withBlank = List.of("a@r.example", "  ");
        java.util.ArrayList<Object> withNull = new java.util.ArrayList<>(List.of("a@r.example"));
        withNull.add(null);

        assertThatThrownBy(() -> SettingsReader.read(
                        Map.of("orgName", "r.example", "contactEmail", "a@r.example", "copyReportsTo", withNumber)))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("copyReportsTo[1]");
        assertThatThrownBy(() -> SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", withBlank)))
                .hasMessageContaining("contactEmail[1] is empty");
        assertThatThrownBy(() -> SettingsReader.read(
                        Map.of("orgName", "r.example", "contactEmail", "a@r.example", "ignoreRecipients", withNull)))
                .hasMessageContaining("ignoreRecipients[1] is empty");
        assertThatThrownBy(() -> SettingsReader.read(Map.of("orgName", "r.example", "contactEmail", Map.of("a", "b"))))
                .hasMessageContaining("contactEmail must be a list");
    }

    @Test
    void aListForASingleValueIsRefused() {
        assertThatThrownBy(() -> SettingsReader.read(
                        Map.of("orgName", List.of("a.example", "b.example"), "contactEmail", "a@r.example")))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("orgName must be a single value");
        assertThatThrownBy(() -> SettingsReader.read(Map.of(
                        "orgName", "r.example", "contactEmail", "a@r.example", "returnPath", List.of("x@r.example"))))
                .hasMessageContaining("returnPath must be a single value");
    }
}
