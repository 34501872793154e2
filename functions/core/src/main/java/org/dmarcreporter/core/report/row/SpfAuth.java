package org.dmarcreporter.core.report.row;

/** The {@code auth_results/spf}: raw SPF result for the MAIL FROM identity (RFC 9990 §3.1.1.13). */
public record SpfAuth(String domain, String scope, String result) {
}
