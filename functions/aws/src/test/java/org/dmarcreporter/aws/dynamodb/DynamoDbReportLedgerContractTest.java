package org.dmarcreporter.aws.dynamodb;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.ReportLedgerContract;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The ledger contract against the DynamoDB ledger on moto ({@code DMARC_AWS_ENDPOINT}), fed by the
 * DynamoDB ingest store on the same table, as in production. Layout, paging and costs are in
 * {@link DynamoDbReportLedgerTest}.
 */
class DynamoDbReportLedgerContractTest extends ReportLedgerContract {

    /** Ingest's clock follows each batch (the store refuses a batch older than its deadline). */
    private final MutableClock ingestClock = new MutableClock(Instant.ofEpochSecond(T0));

    private MotoTables tables;
    private DynamoDbResultStore store;
    private DynamoDbReportLedger ledger;

    @BeforeEach
    void open() {
        tables = new MotoTables();
        store = tables.store(ingestClock);
        // The run happens days after the contract's windows, within their retention.
        ledger = new DynamoDbReportLedger(
                tables.client,
                tables.reports.name(),
                Clock.fixed(Instant.ofEpochSecond(T0 + 3 * 86_400L), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (tables != null) {
            tables.close();
        }
    }

    @Override
    protected ReportLedger ledger() {
        return ledger;
    }

    @Override
    protected ResultStore store() {
        return store;
    }

    @Override
    protected void ingest(ReportingWindow window, String record, String... ips) {
        ingestClock.set(Instant.ofEpochSecond(window.start() + 1));
        super.ingest(window, record, ips);
    }
}
