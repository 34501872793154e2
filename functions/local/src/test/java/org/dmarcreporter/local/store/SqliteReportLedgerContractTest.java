package org.dmarcreporter.local.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.ReportLedgerContract;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite ledger keeps the {@link ReportLedger} contract; its own behaviour is in {@link SqliteReportLedgerTest}. */
class SqliteReportLedgerContractTest extends ReportLedgerContract {

    @TempDir
    Path dataDir;

    private SqliteResultStore store;
    private SqliteReportLedger ledger;

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(
                dataDir, Clock.fixed(Instant.ofEpochSecond(T0), ZoneOffset.UTC), Durability.FULL, rowWrites());
        ledger = new SqliteReportLedger(store);
    }

    /** How increments are written; {@link SqliteReportLedgerRowLogContractTest} sends all of them through the row log. */
    SqliteResultStore.RowWrites rowWrites() {
        return SqliteResultStore.RowWrites.DEFAULT;
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected ReportLedger ledger() {
        return ledger;
    }

    @Override
    protected ResultStore store() {
        return store;
    }
}
