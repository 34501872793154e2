package org.dmarcreporter.local.store;

/**
 * The contract again, every batch's increments going through the row log, folded every few
 * increments (with the defaults, the tests' small batches add to report_rows directly).
 */
class SqliteReportLedgerRowLogContractTest extends SqliteReportLedgerContractTest {

    @Override
    SqliteResultStore.RowWrites rowWrites() {
        return new SqliteResultStore.RowWrites(1, 3);
    }
}
