package org.dmarcreporter.local.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.dmarcreporter.core.testing.MutableClock;
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

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aRetryRecordedByASendNowWakesTheScheduleAtItsTimeNotAtMidnight() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        AtomicInteger runs = new AtomicInteger();
        AtomicLong recordedRetry = new AtomicLong(-1); // what the ledger holds; -1 none
        ReportSchedule.RetryTimes ledger =
                after -> recordedRetry.get() > after ? OptionalLong.of(recordedRetry.get()) : OptionalLong.empty();
        ReportSchedule schedule = new ReportSchedule(
                () -> {
                    runs.incrementAndGet();
                    return new RunSummary(
                            "midnight",
                            null,
                            false,
                            0,
                            null,
                            List.of(),
                            new RunSummary.Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
                },
                ledger,
                clock,
                Duration.ofMillis(5));
        try {
            schedule.start();
            await(() -> runs.get() == 1); // the start-up catch-up; its summary has no retry

            // a send-now at 10:01 (not the schedule's run) has a recipient fail, to retry at 10:16
            clock.set(Instant.parse("2026-03-01T10:01:00Z"));
            recordedRetry.set(Instant.parse("2026-03-01T10:16:00Z").getEpochSecond());
            clock.set(Instant.parse("2026-03-01T10:15:59Z"));
            Thread.sleep(100);
            assertThat(runs).hasValue(1);

            clock.set(Instant.parse("2026-03-01T10:16:00Z"));
            await(() -> runs.get() == 2);
            Thread.sleep(100); // the retry it ran for is not due again: no further run
            assertThat(runs).hasValue(2);
        } finally {
            schedule.stop(Duration.ofSeconds(5));
        }
    }
}
