package org.dmarcreporter.core.record;

/**
 * The {@code fo} tag (RFC 9989 §4.7): which failures a domain wants failure reports for.
 *
 * @param allFail  {@code 0}: no mechanism produced an aligned pass (DMARC failed)
 * @param anyFail  {@code 1}: some mechanism did not produce an aligned pass
 * @param dkim     {@code d}: a DKIM signature failed evaluation, aligned or not
 * @param spf      {@code s}: SPF failed, aligned or not
 * @param text     the value as published (reported in {@code policy_published/fo})
 */
public record FailureOptions(boolean allFail, boolean anyFail, boolean dkim, boolean spf, String text) {

    /** {@code fo=0}, the default, also used when the published value is malformed. */
    public static final FailureOptions DEFAULT = new FailureOptions(true, false, false, false, "0");
}
