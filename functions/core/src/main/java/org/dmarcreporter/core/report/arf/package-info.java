/**
 * Failure reports as mail: the ARF message (RFC 5965, RFC 6591 auth-failure, RFC 6692
 * Source-Port, as RFC 9991 §4 updates them), the header block it quotes, local-part redaction
 * (RFC 6590 style) and the check that keeps us from reporting on reports. See docs/failure-reports.md.
 */
package org.dmarcreporter.core.report.arf;
