package org.dmarcreporter.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.window.WindowTiming;
import org.junit.jupiter.api.Test;

/** The ingest function's timeout holds the evaluation budget, the write deadline and the last calls. */
class TimingBudgetTest {

    @Test
    void evaluationAndWritesFitTheIngestFunctionsTimeoutWithMargin() throws Exception {
        String template = Files.readString(Path.of("../../template.yaml"));
        Matcher m = Pattern.compile("IngestFunction:.*?\\n\\s+Timeout: (\\d+)", Pattern.DOTALL)
                .matcher(template);
        assertThat(m.find()).as("IngestFunction Timeout in template.yaml").isTrue();
        Duration timeout = Duration.ofSeconds(Long.parseLong(m.group(1)));

        // Evaluation, then writes until the deadline; a write started at the deadline and the
        // completing update may each take one SDK call timeout.
        Duration worst = IngestLimits.EVALUATION_BUDGET
                .plus(WindowTiming.INGEST_DEADLINE)
                .plus(AwsClients.API_CALL_TIMEOUT.multipliedBy(2));
        assertThat(worst.plusSeconds(2)).isLessThanOrEqualTo(timeout);
        assertThat(timeout).isLessThan(Duration.ofSeconds(30)); // API Gateway's integration limit
    }

    @Test
    void theSettleTimeCoversTheLastWriteAnIngestRequestCanMake() {
        // a write started at the ingest deadline lands within one SDK call timeout, retries included
        assertThat(AwsClients.API_CALL_TIMEOUT).isLessThanOrEqualTo(WindowTiming.LAST_WRITE);
        assertThat(WindowTiming.SETTLE)
                .isGreaterThanOrEqualTo(WindowTiming.CUT_CACHE
                        .plus(WindowTiming.INGEST_DEADLINE)
                        .plus(AwsClients.API_CALL_TIMEOUT))
                // send-now waits it out before answering: well within the AWS CLI's 60 s read timeout
                .isLessThanOrEqualTo(Duration.ofSeconds(30));
    }
}
