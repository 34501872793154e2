package org.dmarcreporter.core.report.arf;

/**
 * The {@code Auth-Failure} value of a report (RFC 6591 §3.1, RFC 9991 §4 item 3): {@code dmarc}
 * for a DMARC failure report, the others for mechanism-specific (RFC 6651 DKIM, RFC 6652 SPF) reports.
 */
public enum AuthFailure {
    DMARC("dmarc"),
    SPF("spf"),
    /** A DKIM signature did not verify. */
    SIGNATURE("signature"),
    /** A DKIM body hash did not match. */
    BODYHASH("bodyhash"),
    /** A DKIM key was revoked (empty {@code p=}). */
    REVOKED("revoked");

    private final String token;

    AuthFailure(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    /** True for the DKIM kinds (their reports carry DKIM-Domain, -Identity and -Selector). */
    public boolean isDkim() {
        return this == SIGNATURE || this == BODYHASH || this == REVOKED;
    }
}
