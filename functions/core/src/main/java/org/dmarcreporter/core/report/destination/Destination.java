package org.dmarcreporter.core.report.destination;

/** What becomes of one report URI of a record's {@code rua} or {@code ruf} list. */
public sealed interface Destination {

    /** The URI as published (or, for an override, as the destination's record gave it). */
    String uri();

    /**
     * Send the report to {@code mailbox}.
     *
     * @param external the destination is outside the policy domain's Organizational Domain and
     *                 authorized it through {@code ._report._dmarc} (RFC 9990 §4)
     * @param maxBytes the URI's obsolete {@code !size} limit, or null; honoured only in the
     *                 rfc7489 report format (RFC 7489 §6.2; RFC 9989 §4.8 says to ignore it)
     */
    record Send(String uri, String mailbox, boolean external, Long maxBytes) implements Destination {
        public Send(String uri, String mailbox, boolean external) {
            this(uri, mailbox, external, null);
        }
    }

    /** Never send there for this report; {@code reason} is logged and put in the summary. */
    record Skip(String uri, String reason) implements Destination {}

    /** A DNS question needed to decide failed temporarily; ask again on a later run (RFC 9990 §4 step 5). */
    record Defer(String uri, String reason) implements Destination {}
}
