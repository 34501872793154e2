package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Address lists in the {@code --config} file are read as lists, not joined and split again. */
class ConfigFileListTest {

    @TempDir
    Path dir;

    @Test
    void aYamlListKeepsEachEntryWhole() throws Exception {
        Path yaml = Files.writeString(dir.resolve("s.yaml"), """
                orgName: example.org
                contactEmail:
                  - '"DMARC, Reports"@example.org'
                  - b@example.org
                copyReportsTo: ['"x.y"@example.org']
                ignoreRecipients:
                  - '"Loop, Guard"@Example.org'
                """);

        ReportingSettings s = ConfigFile.read(yaml);

        assertThat(s.contactEmail()).containsExactly("\"DMARC, Reports\"@example.org", "b@example.org");
        assertThat(s.copyReportsTo()).containsExactly("\"x.y\"@example.org");
        assertThat(s.ignoreRecipients()).containsExactly("\"loop, guard\"@example.org");
    }

    @Test
    void aCopyAddressThatCannotBeSentToIsABadConfigNamingTheSetting() throws Exception {
        Path yaml = Files.writeString(dir.resolve("s.yaml"), """
                orgName: example.org
                contactEmail: a@example.org
                copyReportsTo: ['"x,y"@example.org']
                """);

        assertThatThrownBy(() -> ConfigFile.read(yaml))
                .isInstanceOf(ConfigFile.BadConfigException.class)
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("setting copyReportsTo cannot be used to send mail");
    }

    @Test
    void aJsonListReadsTheSameAsTheYamlList() throws Exception {
        Path json = Files.writeString(
                dir.resolve("s.json"),
                "{\"orgName\":\"example.org\",\"contactEmail\":[\"\\\"DMARC, Reports\\\"@example.org\",\"b@example.org\"]}");
        Path yaml = Files.writeString(
                dir.resolve("s.yml"),
                "orgName: example.org\ncontactEmail: ['\"DMARC, Reports\"@example.org', b@example.org]\n");

        assertThat(ConfigFile.read(json)).isEqualTo(ConfigFile.read(yaml));
        assertThat(ConfigFile.read(json).contactEmail()).hasSize(2);
    }

    @Test
    void aCommaSeparatedStringIsStillAList() throws Exception {
        Path yaml = Files.writeString(
                dir.resolve("s.yaml"),
                "orgName: example.org\ncontactEmail: a@example.org, b@example.org\ncopyReportsTo: ''\n");

        ReportingSettings s = ConfigFile.read(yaml);

        assertThat(s.contactEmail()).containsExactly("a@example.org", "b@example.org");
        assertThat(s.copyReportsTo()).isEmpty();
    }

    @Test
    void aListEntryThatIsNotTextIsRefusedNamingFileAndEntry() throws Exception {
        Path yaml = Files.writeString(
                dir.resolve("s.yaml"),
                "orgName: example.org\ncontactEmail: a@example.org\ncopyReportsTo:\n  - x@example.org\n  - {name: y}\n");

        assertThatThrownBy(() -> ConfigFile.read(yaml))
                .isInstanceOf(ConfigFile.BadConfigException.class)
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("copyReportsTo[1]");
    }
}
