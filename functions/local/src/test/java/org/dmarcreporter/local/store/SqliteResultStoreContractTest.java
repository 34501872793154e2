package org.dmarcreporter.local.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.ResultStoreContract;
import org.dmarcreporter.core.store.ResultStoreReadBack;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store keeps the {@link ResultStore} contract, read back from its file by a second
 * connection ({@link StoreContents}). Its SQLite-specific behaviour is in {@link SqliteResultStoreTest}.
 */
class SqliteResultStoreContractTest extends ResultStoreContract {

    @TempDir
    Path dataDir;

    private SqliteResultStore store;
    private StoreContents contents;

    @BeforeEach
    void open() {
        store = SqliteResultStore.open(dataDir, clock, Durability.FULL, rowWrites());
        contents = StoreContents.open(dataDir);
    }

    /** How increments are written; {@link SqliteResultStoreRowLogContractTest} sends all of them through the row log. */
    SqliteResultStore.RowWrites rowWrites() {
        return SqliteResultStore.RowWrites.DEFAULT;
    }

    @AfterEach
    void close() {
        contents.close();
        store.close();
    }

    @Override
    protected ResultStore store() {
        return store;
    }

    @Override
    protected void recordCut(String policyDomain, long cutAt) {
        store.recordCut(policyDomain, cutAt);
    }

    /** A keyed batch is one transaction under the writer lock: another request waits, then replays. */
    @Override
    protected Optional<HeldRequest> startAndHold(IngestBatch batch) {
        return Optional.empty();
    }

    @Override
    protected ResultStoreReadBack readBack() {
        return new ResultStoreReadBack() {
            @Override
            public Map<AggregateRow, Long> rows(ReportingWindow window) {
                Map<AggregateRow, Long> out = new LinkedHashMap<>();
                contents.counts(window.policyDomain(), window.start()).forEach((json, count) -> {
                    if (out.put(StoredJson.row(json), count) != null) {
                        throw new IllegalStateException("two counters for one row: " + json);
                    }
                });
                return out;
            }

            @Override
            public Map<ReportingWindow, String> windows() {
                Map<ReportingWindow, String> out = new LinkedHashMap<>();
                contents.windows().forEach((domainAtStart, record) -> {
                    int at = domainAtStart.lastIndexOf('@');
                    out.put(
                            new ReportingWindow(
                                    domainAtStart.substring(0, at), Long.parseLong(domainAtStart.substring(at + 1))),
                            record);
                });
                return out;
            }

            @Override
            public List<FailureCandidate> candidates() {
                List<FailureCandidate> out = new ArrayList<>();
                for (String id : contents.candidateIds()) {
                    out.add(StoredJson.candidate(contents.candidateJson(id)));
                }
                return out;
            }
        };
    }
}
