package org.dmarcreporter.core.model;

/**
 * One DKIM signature's result ({@code dkim[]} in {@code docs/ingest-api.md}).
 *
 * @param reportRequested the signature's {@code r=y} (RFC 6651)
 */
public record DkimCheck(DkimResult result, String domain, String selector, boolean reportRequested) {
    public DkimCheck {
        if (result == null) {
            throw new IllegalArgumentException("dkim.result is required");
        }
    }
}
