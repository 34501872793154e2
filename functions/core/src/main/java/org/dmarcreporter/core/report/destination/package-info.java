/**
 * Who receives a report: the {@code rua}/{@code ruf} mailto URIs in record order, up to the
 * recipient limit, with external destinations verified through {@code ._report._dmarc} (RFC 9990 §4).
 */
package org.dmarcreporter.core.report.destination;
