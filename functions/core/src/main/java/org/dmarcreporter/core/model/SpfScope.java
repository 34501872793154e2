package org.dmarcreporter.core.model;

import java.util.Locale;
import java.util.Optional;

/** Which identity an SPF check was made for: the MAIL FROM or the HELO name (RFC 7208 §2.3, §2.4). */
public enum SpfScope {
    MFROM, HELO;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SpfScope> fromToken(String token) {
        return switch (token) {
            case "mfrom" -> Optional.of(MFROM);
            case "helo" -> Optional.of(HELO);
            default -> Optional.empty();
        };
    }
}
