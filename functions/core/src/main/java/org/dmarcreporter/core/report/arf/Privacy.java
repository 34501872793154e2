package org.dmarcreporter.core.report.arf;

import java.util.Locale;
import java.util.Set;

/**
 * What a failure report leaves out (RFC 9991 §7, §7.3). Reports never carry a message body:
 * the third part is always {@code text/rfc822-headers}, and a body posted inside {@code headers}
 * is cut off ({@link HeaderBlock}).
 *
 * @param redactor when not null, local parts in the quoted headers and in the
 *                 {@code Original-Mail-From} / {@code Original-Rcpt-To} fields are replaced by
 *                 keyed hashes ({@link LocalPartRedactor})
 * @param headers  which header fields of the original are quoted
 */
public record Privacy(LocalPartRedactor redactor, HeaderScope headers) {

    /** Every header field, nothing redacted. */
    public static final Privacy NONE = new Privacy(null, HeaderScope.ALL);

    /** Fields whose local parts are message identifiers, not mailboxes: never redacted. */
    private static final Set<String> IDENTIFIERS =
            Set.of("message-id", "in-reply-to", "references", "resent-message-id", "content-id");

    public Privacy {
        if (headers == null) {
            headers = HeaderScope.ALL;
        }
    }

    public boolean redacts() {
        return redactor != null;
    }

    /** An address (or any field text) with its local parts redacted when this policy says so. */
    public String address(String text) {
        return redactor == null ? text : redactor.redact(text);
    }

    /** The header block as this policy lets it be quoted. */
    public HeaderBlock apply(HeaderBlock block) {
        HeaderBlock scoped = headers == HeaderScope.ESSENTIAL ? block.essential() : block;
        if (redactor == null) {
            return scoped;
        }
        return scoped.mapValues(f -> IDENTIFIERS.contains(f.name().toLowerCase(Locale.ROOT))
                ? f
                : new HeaderBlock.Field(f.name(), redactor.redact(f.value())));
    }

    /** Which fields of the original header block a report quotes. */
    public enum HeaderScope {
        /** All of them (the body never). */
        ALL,
        /** From, Date, Subject, Message-ID, Received, Return-Path, DKIM-Signature and Authentication-Results. */
        ESSENTIAL
    }
}
