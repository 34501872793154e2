package org.dmarcreporter.core.record;

/** {@code adkim}/{@code aspf}: relaxed or strict identifier alignment (RFC 9989 §4.7, §3.2.10). */
public enum AlignmentMode {
    RELAXED("r"),
    STRICT("s");

    private final String token;

    AlignmentMode(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
