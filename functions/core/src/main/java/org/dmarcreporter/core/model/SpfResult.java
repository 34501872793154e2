package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** SPF results as the ingest API names them ({@code docs/ingest-api.md}; RFC 8601 §2.7.2 vocabulary). */
public enum SpfResult {
    NONE,
    NEUTRAL,
    PASS,
    FAIL,
    SOFTFAIL,
    TEMPERROR,
    PERMERROR;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in records, the API's JSON (docs/ingest-api.md) and reports. */
    @JsonValue
    public String token() {
        return token;
    }

    public static Optional<SpfResult> fromToken(String token) {
        for (SpfResult r : values()) {
            if (r.token().equals(token)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
