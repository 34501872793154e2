package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The DMARC result of a message (RFC 9989 §11.2, Authentication-Results result names). */
public enum DmarcResult {
    PASS,
    FAIL,
    NONE,
    TEMPERROR,
    PERMERROR;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in records, the API's JSON (docs/ingest-api.md) and reports. */
    @JsonValue
    public String token() {
        return token;
    }
}
