package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkItemTest {

    @Test
    void aWorkItemRoundTripsWithItsRecordOrWithout() {
        IndexedWindow item = new IndexedWindow(
                new ReportingWindow("example.com", 1764547200L), "v=DMARC1; p=none; rua=mailto:\"x\"@example.com");
        assertThat(WorkItem.fromBody(WorkItem.toBody(item))).isEqualTo(item);
        IndexedWindow bare = new IndexedWindow(new ReportingWindow("example.com", 0), null);
        assertThat(WorkItem.toBody(bare)).isEqualTo("{\"domain\":\"example.com\",\"windowStart\":0}");
        assertThat(WorkItem.fromBody(WorkItem.toBody(bare))).isEqualTo(bare);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not json",
                "[]",
                "{\"windowStart\": 1}",
                "{\"domain\": \"Example.com\", \"windowStart\": 1}",
                "{\"domain\": \"example.com\"}",
                "{\"domain\": \"example.com\", \"windowStart\": 1.5}",
                "{\"domain\": \"example.com\", \"windowStart\": -1}",
                "{\"domain\": \"example.com\", \"windowStart\": \"1\"}",
                "{\"domain\": \"example.com\", \"windowStart\": 1, \"policyRecord\": 3}"
            })
    void aBodyThatIsNotAWorkItemIsRefused(String body) {
        assertThatThrownBy(() -> WorkItem.fromBody(body)).isInstanceOf(IllegalArgumentException.class);
    }
}
