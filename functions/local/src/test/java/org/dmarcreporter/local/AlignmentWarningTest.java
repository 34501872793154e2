package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.dmarcreporter.core.settings.SettingsReader;
import org.junit.jupiter.api.Test;

/** serve warns at start when report mail could not align through SPF (RFC 9990 §3.5.2). */
class AlignmentWarningTest {

    @Test
    void aReturnPathOutsideOrgNameGetsAWarningNamingBothAndDkim() {
        assertThat(LocalRuntime.alignmentWarning(SettingsReader.read(Map.of(
                        "orgName",
                        "reporter.example",
                        "contactEmail",
                        "a@reporter.example",
                        "returnPath",
                        "bounces@mailer.example"))))
                .hasValueSatisfying(w -> assertThat(w)
                        .contains("returnPath bounces@mailer.example", "orgName reporter.example", "DKIM"));
    }

    @Test
    void aReturnPathInOrgNameOrUnderItGetsNone() {
        for (String returnPath : new String[] {"noreply@reporter.example", "bounces@mail.reporter.example"}) {
            assertThat(LocalRuntime.alignmentWarning(SettingsReader.read(Map.of(
                            "orgName",
                            "reporter.example",
                            "contactEmail",
                            "a@reporter.example",
                            "returnPath",
                            returnPath))))
                    .as(returnPath)
                    .isEmpty();
        }
    }
}
