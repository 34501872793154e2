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
                List.of("\"x.y\"@r.example"),
                "ignoreRecipients",
                List.of("\"Loop, Guard\"@R.example")));

        assertThat(s.contactEmail()).containsExactly("\"Reports, DMARC\"@r.example", "b@r.example");
        assertThat(s.copyReportsTo()).containsExactly("\"x.y\"@r.example");
        assertThat(s.ignoreRecipients()).containsExactly("\"loop, guard\"@r.example");
    }

    @Test
    void aCopyAddressThatSendingWouldAlwaysRefuseIsRefusedAtStartUp() {
        // A quoted comma is a valid address (RFC 5321 §4.1.2), but MailAddresses refuses it in a
        // header or RCPT TO; accepted here it would only fail at every run.
        assertThatThrownBy(() -> SettingsReader.read(Map.of(
                        "orgName",
                        "r.example",
                        "contactEmail",
                        "a@r.example",
                        "copyReportsTo",
                        List.of("\"x,y\"@r.example"))))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageStartingWith("setting copyReportsTo cannot be used to send mail")
                .hasMessageContaining("\"x,y\"@r.example");
    }

    @Test
    void aReturnPathOutsideOrgNameIsToldApart() {
        Map<String, Object> base = Map.of("orgName", "reporter.example", "contactEmail", "a@reporter.example");
        assertThat(SettingsReader.read(base).returnPathUnderOrgName()).isTrue();
        for (String inside : List.of("bounces@reporter.example", "b@Mail.Reporter.Example")) {
            java.util.HashMap<String, Object> values = new java.util.HashMap<>(base);
            values.put("returnPath", inside);
            assertThat(SettingsReader.read(values).returnPathUnderOrgName())
                    .as(inside)
                    .isTrue();
        }
        for (String outside : List.of("bounces@other.example", "b@notreporter.example", "b@reporter.example.net")) {
            java.util.HashMap<String, Object> values = new java.util.HashMap<>(base);
            values.put("returnPath", outside);
            assertThat(SettingsReader.read(values).returnPathUnderOrgName())
                    .as(outside)
                    .isFalse();
        }
    }

    @Test
    void lineBreaksInAddressesOrOrgNameNeverReachAHeaderOrAnSmtpCommand() {
        Map<String, Object> base = Map.of("orgName", "r.example", "contactEmail", "a@r.example");
        for (Map.Entry<String, Object> bad : List.of(
                Map.entry("copyReportsTo", (Object) List.of("copy@r.example\r\nBcc: victim@evil.example")),
                Map.entry("copyReportsTo", (Object) "copy@r.example\nRCPT TO:<x@evil.example>"),
                Map.entry("returnPath", (Object) "bounces@r.example>\r\nRCPT TO:<x@evil.example"),
                Map.entry("returnPath", (Object) "bounces@r.example\rX: y"),
                Map.entry("orgName", (Object) "r.example\r\nBcc: victim@evil.example"),
                Map.entry("orgName", (Object) "r.example\nX: y"))) {
            java.util.HashMap<String, Object> values = new java.util.HashMap<>(base);
            values.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> SettingsReader.read(values))
                    .as("%s", bad)
                    .isInstanceOf(SettingsReader.InvalidSettingException.class)
                    .hasMessageStartingWith("setting " + bad.getKey() + " ")
                    .hasMessageNotContainingAny("\r", "\n");
        }
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

    private static final Map<String, Object> BASE = Map.of("orgName", "r.example", "contactEmail", "a@r.example");

    private static Map<String, Object> with(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>(BASE);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void failureReportSettingsHaveSaneDefaultsAndNeedNoSecretToBeRead() {
        FailureReportSettings f = SettingsReader.read(BASE).failureReports();
        assertThat(f.redaction()).isTrue();
        assertThat(f.redactionSecret()).isNull();
        assertThat(f.headers()).isEqualTo(FailureReportSettings.Headers.ALL);
        assertThat(f.perDestinationPerHour()).isEqualTo(100);
        assertThat(f.perMinute()).isEqualTo(1000);
        assertThat(f.mergeSeconds()).isEqualTo(10);
        // only the senders ask for the secret
        assertThatThrownBy(f::redactionSecretBytes)
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("failureReportRedactionSecret")
                .hasMessageContaining("failureReportRedaction");
        assertThat(SettingsReader.read(with("failureReportRedaction", false))
                        .failureReports()
                        .redactionSecretBytes())
                .isNull();
    }

    @Test
    void readsFailureReportSettingsFromTextAndTyped() {
        FailureReportSettings f = SettingsReader.read(with(
                        "failureReportRedactionSecret", " sixteen bytes!! ",
                        "failureReportHeaders", "essential",
                        "failureReportsPerDestinationPerHour", 0,
                        "failureReportsPerMinute", "20",
                        "failureReportMergeSeconds", 900))
                .failureReports();
        assertThat(f.redactionSecretBytes())
                .isEqualTo(" sixteen bytes!! ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(f.headers()).isEqualTo(FailureReportSettings.Headers.ESSENTIAL);
        assertThat(f.perDestinationPerHour()).isZero();
        assertThat(f.perMinute()).isEqualTo(20);
        assertThat(f.mergeSeconds()).isEqualTo(900);
        assertThat(f.toString()).doesNotContain("sixteen");
        assertThat(SettingsReader.read(BASE).toString()).contains("redactionSecret=unset");

        FailureReportSettings env = SettingsReader.read(Map.of(
                        "orgName", "r.example",
                        "contactEmail", "a@r.example",
                        "failureReportRedaction", "FALSE",
                        "failureReportHeaders", "ALL",
                        "failureReportMergeSeconds", "")::get)
                .failureReports();
        assertThat(env.redaction()).isFalse();
        assertThat(env.headers()).isEqualTo(FailureReportSettings.Headers.ALL);
        assertThat(env.mergeSeconds()).isEqualTo(10);
    }

    @Test
    void badFailureReportSettingsNameTheirKey() {
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportRedactionSecret", "short")))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessage("setting failureReportRedactionSecret must be at least 16 bytes long, not 5");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportHeaders", "some")))
                .hasMessage("setting failureReportHeaders must be all or essential, not 'some'");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportsPerDestinationPerHour", "-1")))
                .hasMessageContaining("failureReportsPerDestinationPerHour");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportsPerMinute", "lots")))
                .hasMessageContaining("failureReportsPerMinute");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportMergeSeconds", "901")))
                .hasMessage("setting failureReportMergeSeconds must be a number of seconds (not minutes) from 0 to 900,"
                        + " not '901'");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportMergeSeconds", "10m")))
                .hasMessageContaining("failureReportMergeSeconds");
        assertThatThrownBy(() -> SettingsReader.read(with("failureReportRedaction", "yes")))
                .hasMessageContaining("failureReportRedaction");
    }
}
