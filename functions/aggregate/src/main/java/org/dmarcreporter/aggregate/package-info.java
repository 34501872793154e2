/**
 * The aggregate functions in AWS ({@code docs/aggregate-reports.md}, "In AWS"; {@code docs/send-now.md}):
 * {@link org.dmarcreporter.aggregate.AggregateHandler} takes the 00:00 UTC schedule (the fan-out of
 * every settled unreported window onto SQS) and the send-now event (the core run at once, answered
 * with its summary); {@link org.dmarcreporter.aggregate.ReportWorkerHandler} reports one window per
 * queue message. Both only translate events and call the core's {@code AggregateRun}.
 */
package org.dmarcreporter.aggregate;
