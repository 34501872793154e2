/**
 * Mechanism-specific failure reporting requests: RFC 6652 SPF modifiers ({@code ra=}, {@code rp=},
 * {@code rr=} in the SPF record) and RFC 6651 DKIM reporting records
 * ({@code _report._domainkey.<d=>}), their parsers (which never throw) and the {@code rp} sampling.
 */
package org.dmarcreporter.core.report.mechanism;
