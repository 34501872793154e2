package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.ReportedWindow;
import org.dmarcreporter.core.report.run.ReportLedger.RowPage;
import org.dmarcreporter.core.report.run.ReportLedger.WindowPage;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReportLedger} must do, whatever stores it: extend this class with a fresh
 * store per test (the SQLite and DynamoDB ledgers will; {@link InMemoryReportLedgerTest} does).
 * Data is put in through the store's ingest side, as in production.
 */
public abstract class ReportLedgerContract {

    protected static final long T0 = 1764547200L;

    /** A fresh, empty store; the ledger and the ingest side of the same data. */
    protected abstract ReportLedger ledger();

    protected abstract ResultStore store();

    protected void ingest(ReportingWindow window, String record, String... ips) {
        List<StoredResult> results = new ArrayList<>();
        int i = 0;
        for (String ip : ips) {
            AggregateRow row = new AggregateRow(
                    ip,
                    window.policyDomain(),
                    window.policyDomain(),
                    ReportedDisposition.NONE,
                    false,
                    false,
                    List.of(),
                    List.of(),
                    null);
            results.add(new StoredResult(null, window, row, record, null, i++));
        }
        store().ingest(new IngestBatch(null, new byte[0], results, false, Instant.ofEpochSecond(window.start() + 1)));
    }

    @Test
    void unreportedWindowsArePagedEachOnceWithinThePageSize() {
        Set<ReportingWindow> expected = new HashSet<>();
        for (int d = 0; d < 7; d++) {
            for (int day = 0; day < 2; day++) {
                ReportingWindow w = new ReportingWindow("d" + d + ".example", T0 + day * 86_400L);
                ingest(w, "v=DMARC1; p=none; rua=mailto:r@d" + d + ".example", "192.0.2.1");
                expected.add(w);
            }
        }
        List<ReportingWindow> seen = new ArrayList<>();
        String token = null;
        do {
            WindowPage page = ledger().unreportedWindows(null, token, 3);
            assertThat(page.windows()).hasSizeLessThanOrEqualTo(3);
            page.windows().forEach(w -> seen.add(w.window()));
            token = page.nextPageToken();
        } while (token != null);
        assertThat(seen).hasSize(14).containsExactlyInAnyOrderElementsOf(expected);

        WindowPage one = ledger().unreportedWindows("d3.example", null, 10);
        assertThat(one.windows())
                .extracting(IndexedWindow::window)
                .containsExactly(new ReportingWindow("d3.example", T0), new ReportingWindow("d3.example", T0 + 86_400));
        assertThat(one.windows().get(0).policyRecord()).isEqualTo("v=DMARC1; p=none; rua=mailto:r@d3.example");
        assertThat(one.nextPageToken()).isNull();
    }

    @Test
    void rowsArePagedEachOnceWithTheirCounts() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, "v=DMARC1", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.1", "192.0.2.4");
        ingest(w, "v=DMARC1", "192.0.2.1");
        ingest(new ReportingWindow("example.com", T0 + 86_400), "v=DMARC1", "192.0.2.9");
        List<CountedRow> rows = new ArrayList<>();
        String token = null;
        do {
            RowPage page = ledger().rows(w, token, 2);
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(2);
            rows.addAll(page.rows());
            token = page.nextPageToken();
        } while (token != null);
        assertThat(rows)
                .extracting(r -> r.row().sourceIp() + "=" + r.count())
                .containsExactlyInAnyOrder("192.0.2.1=3", "192.0.2.2=1", "192.0.2.3=1", "192.0.2.4=1");
    }

    @Test
    void cutsOfTheDomainAndOfAllDomainsAreKeptInOrder() {
        ledger().writeCut("example.com", T0 + 300);
        ledger().writeCut(null, T0 + 100);
        ledger().writeCut("example.com", T0 + 900);
        ledger().writeCut("example.org", T0 + 50);
        assertThat(ledger().cuts("example.com")).containsExactly(T0 + 100, T0 + 300, T0 + 900);
        assertThat(ledger().cuts("example.net")).containsExactly(T0 + 100);
        assertThat(store().latestCut("example.com")).isEqualTo(T0 + 900);
    }

    @Test
    void deliveryStateIsKeptPerWindowAndRecipient() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ReportingWindow other = new ReportingWindow("example.com", T0 + 86_400);
        assertThat(ledger().deliveries(w)).isEmpty();
        ledger().recordDelivery(w, "a@example.com", new DeliveryState.Failed("451", 1, T0 + 900));
        ledger().recordDelivery(w, "b@example.com", new DeliveryState.Sent(T0 + 10, 1));
        ledger().recordDelivery(w, "a@example.com", new DeliveryState.GivenUp("550", 2));
        ledger().recordDelivery(other, "a@example.com", new DeliveryState.Sent(T0 + 20, 1));
        assertThat(ledger().deliveries(w))
                .hasSize(2)
                .containsEntry("a@example.com", new DeliveryState.GivenUp("550", 2))
                .containsEntry("b@example.com", new DeliveryState.Sent(T0 + 10, 1));
    }

    @Test
    void aWindowIsMarkedReportedOnceAndLeavesTheIndex() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, "v=DMARC1", "192.0.2.1");
        ingest(new ReportingWindow("example.org", T0), "v=DMARC1", "192.0.2.1");
        ReportedWindow marker = new ReportedWindow("r1", T0, T0 + 86_399, T0 + 86_500, "reported");

        assertThat(ledger().markReported(w, marker)).isTrue();
        assertThat(ledger().markReported(w, new ReportedWindow("r2", 0, 0, 0, "again")))
                .isFalse();

        assertThat(ledger().reported(w)).contains(marker);
        assertThat(ledger().reported(new ReportingWindow("example.org", T0))).isEmpty();
        assertThat(ledger().unreportedWindows(null, null, 10).windows())
                .extracting(IndexedWindow::window)
                .containsExactly(new ReportingWindow("example.org", T0));
    }

    @Test
    void oneDomainsWindowsArePagedEachOnceInStartOrder() {
        for (int day = 0; day < 5; day++) {
            ingest(new ReportingWindow("example.com", T0 + day * 86_400L), "v=DMARC1", "192.0.2.1");
            ingest(new ReportingWindow("example.org", T0 + day * 86_400L), "v=DMARC1", "192.0.2.1");
        }
        List<Long> starts = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            WindowPage page = ledger().unreportedWindows("example.com", token, 2);
            assertThat(page.windows()).hasSizeLessThanOrEqualTo(2);
            page.windows().forEach(w -> {
                assertThat(w.window().policyDomain()).isEqualTo("example.com");
                starts.add(w.window().start());
            });
            token = page.nextPageToken();
            pages++;
        } while (token != null);
        assertThat(starts).containsExactly(T0, T0 + 86_400, T0 + 2 * 86_400, T0 + 3 * 86_400, T0 + 4 * 86_400);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void aFullLastPageHasNoNextToken() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, "v=DMARC1", "192.0.2.1", "192.0.2.2", "192.0.2.3");
        ingest(new ReportingWindow("example.org", T0), "v=DMARC1", "192.0.2.1");

        RowPage rows = ledger().rows(w, null, 3);
        assertThat(rows.rows()).hasSize(3);
        assertThat(rows.nextPageToken()).isNull();
        WindowPage windows = ledger().unreportedWindows(null, null, 2);
        assertThat(windows.windows()).hasSize(2);
        assertThat(windows.nextPageToken()).isNull();
    }

    @Test
    void aWindowWithoutDataHasNoRowsAndNoState() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        RowPage page = ledger().rows(w, null, 10);
        assertThat(page.rows()).isEmpty();
        assertThat(page.nextPageToken()).isNull();
        assertThat(ledger().deliveries(w)).isEmpty();
        assertThat(ledger().reported(w)).isEmpty();
        assertThat(ledger().cuts("example.com")).isEmpty();
        assertThat(ledger().unreportedWindows(null, null, 10).windows()).isEmpty();
    }

    @Test
    void eachDeliveryStateIsReadBackWithItsFields() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        DeliveryState sent = new DeliveryState.Sent(T0 + 10, 3);
        DeliveryState failed = new DeliveryState.Failed("451 4.7.1 try later", 2, T0 + 1_800);
        DeliveryState givenUp = new DeliveryState.GivenUp("550 5.1.1 no such user", 1);
        ledger().recordDelivery(w, "a@example.com", sent);
        ledger().recordDelivery(w, "b@example.com", failed);
        ledger().recordDelivery(w, "mailto:c@other.example", givenUp);
        assertThat(ledger().deliveries(w))
                .containsOnly(
                        org.assertj.core.api.Assertions.entry("a@example.com", sent),
                        org.assertj.core.api.Assertions.entry("b@example.com", failed),
                        org.assertj.core.api.Assertions.entry("mailto:c@other.example", givenUp));
    }

    @Test
    void theRecordKeptIsTheLastOneSeenInTheWindow() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ingest(w, "v=DMARC1; p=none; rua=mailto:old@example.com", "192.0.2.1");
        ingest(w, "v=DMARC1; p=reject; rua=mailto:new@example.com", "192.0.2.2");
        assertThat(ledger().unreportedWindows(null, null, 10).windows())
                .containsExactly(new IndexedWindow(w, "v=DMARC1; p=reject; rua=mailto:new@example.com"));
    }

    @Test
    void markingOneWindowLeavesTheDomainsOtherWindowsListed() {
        ReportingWindow first = new ReportingWindow("example.com", T0);
        ReportingWindow second = new ReportingWindow("example.com", T0 + 3_600);
        ingest(first, "v=DMARC1", "192.0.2.1");
        ingest(second, "v=DMARC1", "192.0.2.1");
        assertThat(ledger().markReported(first, new ReportedWindow("r1", T0, T0 + 3_599, T0 + 4_000, "reported")))
                .isTrue();
        assertThat(ledger().unreportedWindows("example.com", null, 10).windows())
                .extracting(IndexedWindow::window)
                .containsExactly(second);
        assertThat(ledger().rows(first, null, 10).rows()).hasSize(1); // counters stay until their TTL
    }

    @Test
    void aFinalDeliveryStateIsNeverOverwritten() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        DeliveryState sent = new DeliveryState.Sent(T0 + 10, 1);
        DeliveryState givenUp = new DeliveryState.GivenUp("550 5.1.1 no such user", 1);
        ledger().recordDelivery(w, "a@example.com", sent);
        ledger().recordDelivery(w, "b@example.com", givenUp);
        // a stale run that read no state (or a failed one) writes after the run that sent
        ledger().recordDelivery(w, "a@example.com", new DeliveryState.Failed("451", 1, T0 + 900));
        ledger().recordDelivery(w, "a@example.com", new DeliveryState.GivenUp("550", 2));
        ledger().recordDelivery(w, "b@example.com", new DeliveryState.Failed("451", 2, T0 + 900));
        ledger().recordDelivery(w, "b@example.com", new DeliveryState.Sent(T0 + 20, 2));
        assertThat(ledger().deliveries(w))
                .containsOnly(
                        org.assertj.core.api.Assertions.entry("a@example.com", sent),
                        org.assertj.core.api.Assertions.entry("b@example.com", givenUp));
    }

    @Test
    void aLeaseIsHeldByOneHolderUntilItRunsOut() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        ReportingWindow other = new ReportingWindow("example.com", T0 + 3_600);
        assertThat(ledger().takeLease(w, "run-a", T0, T0 + 900)).isTrue();
        assertThat(ledger().takeLease(w, "run-b", T0 + 10, T0 + 910)).isFalse();
        assertThat(ledger().takeLease(w, "run-b", T0 + 900, T0 + 1_800)).isFalse();
        assertThat(ledger().takeLease(other, "run-b", T0 + 10, T0 + 910)).isTrue();
        assertThat(ledger().takeLease(w, "run-a", T0 + 20, T0 + 920)).isTrue(); // its own: renewed
        assertThat(ledger().takeLease(w, "run-b", T0 + 921, T0 + 1_821)).isTrue(); // ran out
        assertThat(ledger().takeLease(w, "run-a", T0 + 922, T0 + 1_822)).isFalse();
    }

    @Test
    void aReleasedLeaseCanBeTakenAtOnceButOnlyItsHolderReleasesIt() {
        ReportingWindow w = new ReportingWindow("example.com", T0);
        assertThat(ledger().takeLease(w, "run-a", T0, T0 + 900)).isTrue();
        ledger().releaseLease(w, "run-b");
        assertThat(ledger().takeLease(w, "run-b", T0 + 1, T0 + 901)).isFalse();
        ledger().releaseLease(w, "run-a");
        assertThat(ledger().takeLease(w, "run-b", T0 + 2, T0 + 902)).isTrue();
        ledger().releaseLease(w, "run-a"); // no longer its lease: run-b keeps it
        assertThat(ledger().takeLease(w, "run-c", T0 + 3, T0 + 903)).isFalse();
        ledger().releaseLease(new ReportingWindow("example.org", T0), "run-a"); // none held: nothing
    }
}
