package org.dmarcreporter.core.report.arf;

/**
 * The signature a report is about: {@code DKIM-Domain}, {@code DKIM-Identity} and
 * {@code DKIM-Selector} (RFC 6591 §3.1; RFC 9991 §4: required when an aligned DKIM identifier failed).
 *
 * @param identity the signature's {@code i=}; {@code @<d=>} (its default, RFC 6376 §3.5) when unknown
 */
public record DkimIdentity(String domain, String identity, String selector) {

    /** The identity a signature has without {@code i=}. */
    public static DkimIdentity of(String domain, String selector) {
        return new DkimIdentity(domain, "@" + domain, selector);
    }
}
