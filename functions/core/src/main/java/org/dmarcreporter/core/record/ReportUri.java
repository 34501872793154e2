package org.dmarcreporter.core.record;

/**
 * One {@code rua}/{@code ruf} URI.
 *
 * @param uri      the URI as published, without any {@code !size} suffix
 * @param mailbox  the address of a {@code mailto:} URI (percent-decoded), or null for other schemes
 * @param maxBytes the obsolete {@code !size} limit in bytes when one was published (RFC 7489 §6.2);
 *                 RFC 9989 §4.8 says to ignore it, it is kept only for the rfc7489 report format
 */
public record ReportUri(String uri, String mailbox, Long maxBytes) {

    public boolean isMailto() {
        return mailbox != null;
    }
}
