package org.dmarcreporter.core.dns;

/** Outcome of one DNS question. */
public enum DnsStatus {
    /** The name exists; the answer may still hold no records of the type asked (NODATA). */
    NOERROR,
    /** The name does not exist (RFC 8020: nor does anything below it). */
    NXDOMAIN,
    /** Time-out, SERVFAIL, refused, network error: a later try may answer (RFC 9989 §4.10.1). */
    TEMPFAIL
}
