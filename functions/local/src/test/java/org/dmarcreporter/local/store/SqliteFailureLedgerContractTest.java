package org.dmarcreporter.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.report.dispatch.FailureLedger;
import org.dmarcreporter.core.report.dispatch.FailureLedger.DueSlot;
import org.dmarcreporter.core.report.dispatch.FailureLedger.Join;
import org.dmarcreporter.core.report.dispatch.FailureLedger.TakenSlot;
import org.dmarcreporter.core.report.dispatch.FailureLedgerContract;
import org.dmarcreporter.local.store.SqliteResultStore.Durability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite ledger keeps the {@link FailureLedger} contract, and keeps it across a reopen. */
class SqliteFailureLedgerContractTest extends FailureLedgerContract {

    @TempDir
    Path dataDir;

    private final List<SqliteResultStore> opened = new ArrayList<>();

    private SqliteResultStore open() {
        SqliteResultStore store = SqliteResultStore.open(
                dataDir, Clock.fixed(Instant.ofEpochSecond(T0), ZoneOffset.UTC), Durability.FULL);
        opened.add(store);
        return store;
    }

    @AfterEach
    void close() {
        opened.forEach(SqliteResultStore::close);
    }

    @Override
    protected FailureLedger ledger() {
        return new SqliteFailureLedger(open());
    }

    @Test
    void markersSlotsAndBucketsSurviveAReopen() {
        SqliteResultStore first = open();
        FailureLedger l = new SqliteFailureLedger(first);
        assertThat(l.claimSend("c1/dmarc", "ruf@example.com", T0, T0 + DAY)).isTrue();
        l.joinSlot("s1", "first", T0, T0 + 10);
        l.joinSlot("s1", "held", T0 + 1, T0 + 11);
        assertThat(l.takeToken("dest", T0, 1, T0 + 3600)).isTrue();
        first.close();

        FailureLedger again = new SqliteFailureLedger(open());
        assertThat(again.claimSend("c1/dmarc", "ruf@example.com", T0 + 2, T0 + DAY))
                .isFalse();
        assertThat(again.takeToken("dest", T0, 1, T0 + 3600)).isFalse();
        assertThat(again.dueSlots(T0 + 10, 10)).containsExactly(new DueSlot("s1", T0 + 10));
        assertThat(again.takeSlot("s1", T0 + 10, T0 + 20)).contains(new TakenSlot(1, "held", T0 + 1));
    }

    @Test
    void thePurgeRemovesExpiredMarkersBucketsAndClosedSlotsOnly() {
        SqliteResultStore store = open();
        SqliteFailureLedger l = new SqliteFailureLedger(store);
        l.claimSend("old/dmarc", "ruf@example.com", T0, T0 + 100);
        l.claimSend("new/dmarc", "ruf@example.com", T0, T0 + DAY);
        l.takeToken("dest", T0, 5, T0 + 60);
        l.joinSlot("empty", "a", T0, T0 + 10); // open, holds nothing: closed at T0 + 10
        l.joinSlot("held", "a", T0, T0 + 10);
        l.joinSlot("held", "b", T0 + 1, T0 + 10); // holds one: kept

        assertThat(l.purgeExpired(T0 + 200)).isEqualTo(3);

        assertThat(l.claimSend("new/dmarc", "ruf@example.com", T0 + 200, T0 + DAY))
                .isFalse();
        assertThat(l.claimSend("old/dmarc", "ruf@example.com", T0 + 200, T0 + DAY))
                .isTrue();
        assertThat(l.joinSlot("held", "c", T0 + 200, T0 + 210)).isEqualTo(new Join.Joined(2, T0 + 10));
    }
}
