package org.dmarcreporter.core.address;

/** What an RFC5321.MailFrom value says about the sender's domain (see {@link EnvelopeAddresses}). */
public sealed interface EnvelopeSender {

    /**
     * The null reverse-path ({@code ""} or {@code <>}, RFC 5321 §4.5.5). SPF then checks
     * {@code postmaster@<HELO name>} (RFC 7208 §2.4), so the HELO name is the SPF identity.
     */
    record NullSender() implements EnvelopeSender {}

    /** A mailbox or bare domain; {@code domain} is normalised ({@link DomainNames#normalize(String)}). */
    record Domain(String domain) implements EnvelopeSender {}

    /** Not given (null), or no usable domain in it. */
    record Invalid(String reason) implements EnvelopeSender {}
}
