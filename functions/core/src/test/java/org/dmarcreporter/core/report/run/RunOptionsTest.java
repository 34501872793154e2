package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void theGeneratorIsTheProductNameAndTheRuntimeVersion() {
        RunOptions options = RunOptions.defaults("example.net").withGeneratorVersion("1.4.0");

        assertThat(options.generator()).isEqualTo("dmarc-reporter 1.4.0");
        assertThat(options.fromAddress()).isEqualTo("noreply@example.net");
    }

    @Test
    void aRuntimeWithoutAVersionIsReportedAsDev() {
        assertThat(RunOptions.defaults("example.net").withGeneratorVersion(null).generator())
                .isEqualTo("dmarc-reporter dev");
        assertThat(RunOptions.defaults("example.net").withGeneratorVersion(" ").generator())
                .isEqualTo("dmarc-reporter dev");
    }
}
