package org.dmarcreporter.core.record;

/** {@code psd}: whether the record is a Public Suffix Domain's (RFC 9989 §4.7). */
public enum PsdFlag {
    Y("y"),
    N("n"),
    U("u");

    private final String token;

    PsdFlag(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
