package org.dmarcreporter.core.report.trigger;

/** Which {@code fo} option a failure matched (RFC 9989 §4.7 tag {@code fo}; RFC 9991 §2-3). */
public enum FailureTrigger {
    /** {@code fo=0}: no mechanism produced an aligned pass. */
    DMARC_ALL_FAILED,
    /** {@code fo=1}: at least one mechanism did not produce an aligned pass. */
    DMARC_ANY_FAILED,
    /** {@code fo=d}: a DKIM signature failed evaluation, aligned or not (RFC 6651 format). */
    DKIM_FAILED,
    /** {@code fo=s}: SPF failed, aligned or not (RFC 6652 format). */
    SPF_FAILED
}
