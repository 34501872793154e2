package org.dmarcreporter.core.report.row;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * {@code policy_evaluated/disposition} as RFC 9990 §3.1.1.9 defines it: {@code pass} when DMARC
 * passed under an enforcing policy. The rfc7489 format has no {@code pass}; its writer maps it to
 * {@code none}.
 */
public enum ReportedDisposition {
    NONE,
    PASS,
    QUARANTINE,
    REJECT;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in records, the API's JSON (docs/ingest-api.md) and reports. */
    @JsonValue
    public String token() {
        return token;
    }
}
