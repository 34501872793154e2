package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** Which identity an SPF check was made for: the MAIL FROM or the HELO name (RFC 7208 §2.3, §2.4). */
public enum SpfScope {
    MFROM,
    HELO;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in records, the API's JSON (docs/ingest-api.md) and reports. */
    @JsonValue
    public String token() {
        return token;
    }

    public static Optional<SpfScope> fromToken(String token) {
        return switch (token) {
            case "mfrom" -> Optional.of(MFROM);
            case "helo" -> Optional.of(HELO);
            default -> Optional.empty();
        };
    }
}
