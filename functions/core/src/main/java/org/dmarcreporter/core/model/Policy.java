package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** A requested handling policy ({@code p}, {@code sp}, {@code np}) and the verdict's disposition (RFC 9989 §4.7). */
public enum Policy {
    NONE,
    QUARANTINE,
    REJECT;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in records, the API's JSON (docs/ingest-api.md) and reports. */
    @JsonValue
    public String token() {
        return token;
    }

    /** The value one level lower, as {@code t=y} asks (RFC 9989 §4.7, tag {@code t}). */
    public Policy testModeDowngrade() {
        return switch (this) {
            case REJECT -> QUARANTINE;
            case QUARANTINE, NONE -> NONE;
        };
    }

    /** Exact, lower-case token as the record grammar writes it (dmarc-request). */
    public static Optional<Policy> fromToken(String token) {
        return switch (token) {
            case "none" -> Optional.of(NONE);
            case "quarantine" -> Optional.of(QUARANTINE);
            case "reject" -> Optional.of(REJECT);
            default -> Optional.empty();
        };
    }
}
