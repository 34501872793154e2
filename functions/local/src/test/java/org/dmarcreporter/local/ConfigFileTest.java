package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void theSampleConfigReadsWithEveryKey() {
        ReportingSettings s = ConfigFile.read(
                Path.of(System.getProperty("dmarc.events.dir", "../../events")).resolve("local-config.yaml"));

        assertThat(s.orgName()).isEqualTo("reporter.example.org");
        assertThat(s.contactEmail()).containsExactly("dmarc-admin@reporter.example.org");
        assertThat(s.returnPath()).isEqualTo("noreply@reporter.example.org");
        assertThat(s.reportFormat()).isEqualTo(ReportFormat.RFC9990);
        assertThat(s.ignoreRecipients()).containsExactly("dmarc-reports@reporter.example.org");
        assertThat(s.dedupeMessageIds()).isTrue();
    }

    @Test
    void yamlListsAndJsonStringsMeanTheSame() throws Exception {
        Path yaml = Files.writeString(
                dir.resolve("s.yml"),
                "orgName: Example.ORG\ncontactEmail:\n  - a@example.org\n  - b@example.org\nmaxReportRecipients: 2\n");
        Path json = Files.writeString(
                dir.resolve("s.json"),
                "{\"orgName\":\"example.org\",\"contactEmail\":\"a@example.org, b@example.org\",\"maxReportRecipients\":\"2\"}");

        assertThat(ConfigFile.read(yaml)).isEqualTo(ConfigFile.read(json));
        assertThat(ConfigFile.read(yaml).contactEmail()).isEqualTo(List.of("a@example.org", "b@example.org"));
        assertThat(ConfigFile.read(yaml).maxReportRecipients()).isEqualTo(2);
    }

    @Test
    void aBadValueIsRefusedNamingTheFileAndKey() throws Exception {
        Path file = Files.writeString(
                dir.resolve("s.yaml"),
                "orgName: example.org\ncontactEmail: a@example.org\ndedupeMessageIds: sometimes\n");

        assertThatThrownBy(() -> ConfigFile.read(file))
                .isInstanceOf(ConfigFile.BadConfigException.class)
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("dedupeMessageIds");
    }

    @Test
    void aFileThatIsNotAnObjectIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("s.yaml"), "- just\n- a list\n");

        assertThatThrownBy(() -> ConfigFile.read(file)).hasMessageContaining("must hold an object");
    }

    @Test
    void brokenSyntaxIsRefusedWithTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("s.json"), "{\"orgName\": \"example.org\",\n\"contactEmail\": }");

        assertThatThrownBy(() -> ConfigFile.read(file))
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 2");
    }

    @Test
    void aMissingFileIsRefused() {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("none.yaml"))).hasMessageContaining("does not exist");
    }
}
