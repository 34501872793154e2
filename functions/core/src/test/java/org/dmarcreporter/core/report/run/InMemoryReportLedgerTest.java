package org.dmarcreporter.core.report.run;

import org.dmarcreporter.core.store.ResultStore;

/** The ledger contract against the in-memory ledger the run's tests use. */
class InMemoryReportLedgerTest extends ReportLedgerContract {

    private final InMemoryReportLedger ledger = new InMemoryReportLedger();

    @Override
    protected ReportLedger ledger() {
        return ledger;
    }

    @Override
    protected ResultStore store() {
        return ledger;
    }
}
