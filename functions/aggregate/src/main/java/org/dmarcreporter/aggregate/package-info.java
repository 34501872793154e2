/**
 * The aggregate function: the midnight run and send-now that turn stored counter rows into RFC 9990
 * reports (planned: {@code docs/send-now.md}). It reads what {@code functions/ingest} stores: the
 * window index and counter rows described in {@code docs/reporting-windows.md}.
 */
package org.dmarcreporter.aggregate;
