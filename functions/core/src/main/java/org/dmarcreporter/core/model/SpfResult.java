package org.dmarcreporter.core.model;

import java.util.Locale;
import java.util.Optional;

/** SPF results as the ingest contract names them (RFC 8601 §2.7.2 vocabulary). */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
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
