package org.dmarcreporter.core.report.row;

/** One {@code auth_results/dkim}: raw result of a signature (RFC 9990 §3.1.1.12). */
public record DkimAuth(String domain, String selector, String result) {
}
