package org.dmarcreporter.core.report.dispatch;

/** The ledger contract against the in-memory ledger the dispatcher's tests use. */
class InMemoryFailureLedgerTest extends FailureLedgerContract {

    private final InMemoryFailureLedger ledger = new InMemoryFailureLedger();

    @Override
    protected FailureLedger ledger() {
        return ledger;
    }
}
