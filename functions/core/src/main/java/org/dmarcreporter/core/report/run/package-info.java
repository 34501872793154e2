/**
 * The aggregate report run (midnight, send-now, catch-up, dry run): the {@link
 * org.dmarcreporter.core.report.run.ReportLedger} port it reads windows and keeps delivery state
 * through, the planner that pages the window index for fan-out, and the use case that renders,
 * sends and marks each settled window once ({@code docs/aggregate-reports.md}).
 */
package org.dmarcreporter.core.report.run;
