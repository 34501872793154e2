package org.dmarcreporter.core.report.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dmarcreporter.core.report.arf.Candidates;
import org.dmarcreporter.core.report.routing.FailureReportPlannerTest;
import org.dmarcreporter.core.report.routing.PlannedReport;
import org.junit.jupiter.api.Test;

class RepresentativeTest {

    @Test
    void everyPlannedReportComesBackEqual() {
        for (PlannedReport p :
                FailureReportPlannerTest.planFor(Candidates.forged()).reports()) {
            String text = Representative.encode(p);
            PlannedReport back = Representative.decode(text);
            assertThat(back).usingRecursiveComparison().isEqualTo(p);
            assertThat(back.report().headers().toText())
                    .isEqualTo(p.report().headers().toText());
            assertThat(text.length()).isLessThan(FailureLedger.MAX_REPRESENTATIVE_BYTES);
        }
    }

    @Test
    void unreadableTextIsRefusedNotGuessed() {
        assertThatThrownBy(() -> Representative.decode("{\"v\":2}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Representative.decode("not json")).isInstanceOf(IllegalArgumentException.class);
    }
}
