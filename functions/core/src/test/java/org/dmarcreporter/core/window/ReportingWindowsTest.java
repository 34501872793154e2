package org.dmarcreporter.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportingWindowsTest {

    private static final long MIDNIGHT = Instant.parse("2026-11-27T00:00:00Z").getEpochSecond();

    @Test
    void resultsWithoutACutCountInTheirUtcDay() {
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-27T23:59:59Z"), 0))
                .isEqualTo(MIDNIGHT);
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-28T00:00:00Z"), 0))
                .isEqualTo(MIDNIGHT + 86_400);
    }

    @Test
    void aSendNowCutStartsANewWindowForTheRestOfTheDay() {
        long cut = MIDNIGHT + 3_600 * 14;
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-27T13:59:59Z"), cut))
                .isEqualTo(MIDNIGHT);
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-27T14:00:00Z"), cut))
                .isEqualTo(cut);
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-27T18:00:00Z"), cut))
                .isEqualTo(cut);
    }

    @Test
    void aCutOfAnEarlierDayGivesWayToMidnight() {
        long yesterdayCut = MIDNIGHT - 3_600;
        assertThat(ReportingWindows.windowStart(Instant.parse("2026-11-27T08:00:00Z"), yesterdayCut))
                .isEqualTo(MIDNIGHT);
    }
}
