package org.dmarcreporter.core.report.arf;

/**
 * One {@code SPF-DNS} field (RFC 6591 §3.1): the SPF record that was evaluated, written as
 * {@code txt : <domain> : "<record>"}. RFC 9991 §4 requires it when an aligned SPF identifier failed.
 */
public record SpfDns(String domain, String record) {}
