package org.dmarcreporter.core.model;

import java.util.Locale;
import java.util.Optional;

/** DKIM results as the ingest contract names them (RFC 8601 §2.7.1 vocabulary). */
public enum DkimResult {
    NONE, PASS, FAIL, POLICY, NEUTRAL, TEMPERROR, PERMERROR;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DkimResult> fromToken(String token) {
        for (DkimResult r : values()) {
            if (r.token().equals(token)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
