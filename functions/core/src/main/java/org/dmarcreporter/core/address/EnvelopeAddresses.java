package org.dmarcreporter.core.address;

import java.util.Optional;

/**
 * Reads the RFC5321.MailFrom value ({@code docs/ingest-api.md}): a mailbox ({@code user@example.com}),
 * the same in angle brackets, possibly with an obsolete source route
 * ({@code <@relay.example:user@example.com>}), a quoted local part ({@code "a b"@example.com}), a
 * bare domain ({@code example.com}), or {@code ""}/{@code <>} for the null sender. Never throws.
 */
public final class EnvelopeAddresses {

    private EnvelopeAddresses() {}

    public static EnvelopeSender parse(String envelopeFrom) {
        if (envelopeFrom == null) {
            return new EnvelopeSender.Invalid("no envelope sender given");
        }
        String s = envelopeFrom.strip();
        if (s.startsWith("<") || s.endsWith(">")) {
            if (s.length() < 2 || !s.startsWith("<") || !s.endsWith(">")) {
                return new EnvelopeSender.Invalid("unbalanced angle brackets in envelope sender");
            }
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.isEmpty()) {
            return new EnvelopeSender.NullSender();
        }
        int colon = s.indexOf(':');
        if (s.startsWith("@") && colon > 0) {
            // RFC 5321 §4.1.2 obsolete source route: "@relay.example,@other.example:" before the mailbox.
            s = s.substring(colon + 1);
        }
        String domainPart;
        if (s.startsWith("\"")) {
            int close = closingQuote(s);
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != '@') {
                return new EnvelopeSender.Invalid("bad quoted local part in envelope sender");
            }
            domainPart = s.substring(close + 2);
        } else {
            int at = s.indexOf('@');
            if (at >= 0 && s.indexOf('@', at + 1) >= 0) {
                return new EnvelopeSender.Invalid("several '@' in envelope sender");
            }
            domainPart = at < 0 ? s : s.substring(at + 1); // no '@': a bare domain (docs/ingest-api.md)
        }
        if (domainPart.startsWith("[")) {
            return new EnvelopeSender.Invalid("address literal in envelope sender (no domain)");
        }
        return DomainNames.normalize(domainPart)
                .<EnvelopeSender>map(EnvelopeSender.Domain::new)
                .orElseGet(() -> new EnvelopeSender.Invalid("invalid domain in envelope sender"));
    }

    /**
     * The MAIL FROM domain, normalised; {@code Optional.of("")} for the null sender (the form
     * {@link org.dmarcreporter.core.evaluation.Evaluation#envelopeFromDomain()} uses); empty when
     * not given or unusable.
     */
    public static Optional<String> domainOf(String envelopeFrom) {
        EnvelopeSender sender = parse(envelopeFrom);
        if (sender instanceof EnvelopeSender.NullSender) {
            return Optional.of("");
        }
        if (sender instanceof EnvelopeSender.Domain domain) {
            return Optional.of(domain.domain());
        }
        return Optional.empty();
    }

    private static int closingQuote(String s) {
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }
}
