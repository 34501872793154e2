/**
 * Aggregate report XML (RFC 9990, or RFC 7489 on request), written streaming from counted rows
 * and gzip-compressed: the report's metadata, the policy as published and one record per row.
 */
package org.dmarcreporter.core.report.xml;
