package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.testing.RandomCases;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.Test;

class WindowRangeTest {

    static final long T0 = 1764547200L;

    @Test
    void aDayWindowEndsAtTheNextMidnight() {
        assertThat(WindowRange.end(T0, List.of())).isEqualTo(T0 + 86_400);
        assertThat(WindowRange.end(T0, List.of(T0 - 5, T0 + 86_400 + 7))).isEqualTo(T0 + 86_400);
    }

    @Test
    void aCutEndsTheWindowEarly() {
        assertThat(WindowRange.end(T0, List.of(T0 + 3_600, T0 + 7_200))).isEqualTo(T0 + 3_600);
        assertThat(WindowRange.end(T0 + 3_600, List.of(T0 + 3_600, T0 + 7_200))).isEqualTo(T0 + 7_200);
    }

    /** Every instant falls in the window ingest picks, and that window's [start, end) holds it. */
    @Test
    void windowsFromIngestAndFromTheRunAgree() {
        RandomCases.forAll(
                500,
                r -> {
                    List<Long> cuts = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        cuts.add(T0 + r.nextInt(3 * 86_400));
                    }
                    return new Object[] {cuts, T0 + r.nextInt(3 * 86_400)};
                },
                c -> {
                    @SuppressWarnings("unchecked")
                    List<Long> cuts = (List<Long>) c[0];
                    long at = (Long) c[1];
                    long latest = cuts.stream()
                            .filter(x -> x <= at)
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(0);
                    long start = ReportingWindows.windowStart(Instant.ofEpochSecond(at), latest);
                    long end = WindowRange.end(start, cuts);
                    assertThat(start).isLessThanOrEqualTo(at);
                    assertThat(end).isGreaterThan(at);
                });
    }
}
