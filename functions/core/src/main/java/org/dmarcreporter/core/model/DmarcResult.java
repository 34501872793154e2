package org.dmarcreporter.core.model;

import java.util.Locale;

/** The DMARC result of a message (RFC 9989 §11.2, Authentication-Results result names). */
public enum DmarcResult {
    PASS, FAIL, NONE, TEMPERROR, PERMERROR;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
