package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;

class ReportPlannerTest {

    @Test
    void plansOneHundredThousandDomainsHoldingOnePageAtATime() {
        InMemoryReportLedger ledger = new InMemoryReportLedger();
        int domains = 100_000;
        for (int i = 0; i < domains; i++) {
            ledger.index(new ReportingWindow("d" + i + ".example", 1764547200L), "v=DMARC1; p=none");
        }
        int page = 500;

        Iterator<IndexedWindow> plan = new ReportPlanner(ledger, page).plan(null);
        Set<ReportingWindow> seen = new HashSet<>();
        long taken = 0;
        while (plan.hasNext()) {
            seen.add(plan.next().window());
            taken++;
            // Lazy: a page is read only when the one before it was used up.
            assertThat(ledger.windowPages()).isLessThanOrEqualTo((int) ((taken - 1) / page) + 1);
        }

        assertThat(taken).isEqualTo(domains);
        assertThat(seen).hasSize(domains);
        assertThat(ledger.largestWindowPage()).isEqualTo(page);
        assertThat(ledger.windowPages()).isEqualTo(domains / page);
    }

    @Test
    void oneDomainsWindowsOnly() {
        InMemoryReportLedger ledger = new InMemoryReportLedger();
        for (int i = 0; i < 10; i++) {
            ledger.index(new ReportingWindow("a" + i + ".example", 0), "v=DMARC1");
            ledger.index(new ReportingWindow("b.example", i * 86_400L), "v=DMARC1");
        }
        Iterator<IndexedWindow> plan = new ReportPlanner(ledger, 3).plan("b.example");
        int n = 0;
        while (plan.hasNext()) {
            assertThat(plan.next().window().policyDomain()).isEqualTo("b.example");
            n++;
        }
        assertThat(n).isEqualTo(10);
    }

    @Test
    void pageSizeIsBounded() {
        assertThatThrownBy(() -> new ReportPlanner(new InMemoryReportLedger(), ReportLedger.MAX_PAGE + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
