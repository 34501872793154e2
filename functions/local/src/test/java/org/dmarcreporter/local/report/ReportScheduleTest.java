package org.dmarcreporter.local.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.junit.jupiter.api.Test;

class ReportScheduleTest {

    private static RunSummary summary(RecipientReport... recipients) {
        List<WindowReport> reports = List.of(new WindowReport(
                "example.com", 0, 86_400, "id", null, "pending", null, 1L, 1L, 100L, List.of(recipients)));
        return new RunSummary("midnight", null, false, 0, null, reports, null);
    }

    @Test
    void theMidnightRunIsFiveSecondsAfterTheNextUtcMidnight() {
        assertThat(ReportSchedule.nextMidnightRun(Instant.parse("2026-03-01T10:00:00Z")))
                .isEqualTo(Instant.parse("2026-03-02T00:00:05Z"));
        assertThat(ReportSchedule.nextMidnightRun(Instant.parse("2026-03-01T23:59:59Z")))
                .isEqualTo(Instant.parse("2026-03-02T00:00:05Z"));
        assertThat(ReportSchedule.nextMidnightRun(Instant.parse("2026-03-02T00:00:03Z")))
                .isEqualTo(Instant.parse("2026-03-02T00:00:05Z"));
        assertThat(ReportSchedule.nextMidnightRun(Instant.parse("2026-03-02T00:00:05Z")))
                .isEqualTo(Instant.parse("2026-03-03T00:00:05Z"));
    }

    @Test
    void aFailedRecipientWakesTheScheduleAtItsRetryTime() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        long retry = now.plusSeconds(900).getEpochSecond();
        long later = now.plusSeconds(3600).getEpochSecond();

        assertThat(ReportSchedule.nextRun(
                        now,
                        summary(
                                new RecipientReport("a@example.com", "mailto:a@example.com", "failed", "451", 1, later),
                                new RecipientReport(
                                        "b@example.com", "mailto:b@example.com", "deferred", "451", 2, retry),
                                new RecipientReport("c@example.com", "mailto:c@example.com", "sent", null, 1, null))))
                .isEqualTo(Instant.ofEpochSecond(retry));
    }

    @Test
    void withoutRetriesTheNextRunIsMidnightAndAPastRetryNeverMakesABusyLoop() {
        Instant now = Instant.parse("2026-03-01T23:50:00Z");
        assertThat(ReportSchedule.nextRun(
                        now,
                        summary(new RecipientReport("a@example.com", "mailto:a@example.com", "sent", null, 1, null))))
                .isEqualTo(Instant.parse("2026-03-02T00:00:05Z"));
        assertThat(ReportSchedule.nextRun(now, null)).isEqualTo(Instant.parse("2026-03-02T00:00:05Z"));
        assertThat(ReportSchedule.nextRun(
                        Instant.parse("2026-03-01T10:00:00Z"),
                        summary(new RecipientReport(
                                "a@example.com",
                                "mailto:a@example.com",
                                "failed",
                                "451",
                                1,
                                Instant.parse("2026-03-01T09:00:00Z").getEpochSecond()))))
                .isEqualTo(Instant.parse("2026-03-01T10:01:00Z"));
    }
}
