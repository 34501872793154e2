package org.dmarcreporter.core.model;

/**
 * The receiver's SPF result ({@code spf} in {@code docs/ingest-api.md}).
 *
 * @param domain the domain SPF checked; may be null, then the envelope-from (or HELO) domain is used
 * @param scope  {@code mfrom} unless the receiver says {@code helo}
 */
public record SpfCheck(SpfResult result, String domain, SpfScope scope) {
    public SpfCheck {
        if (result == null) {
            throw new IllegalArgumentException("spf.result is required");
        }
        scope = scope == null ? SpfScope.MFROM : scope;
    }
}
