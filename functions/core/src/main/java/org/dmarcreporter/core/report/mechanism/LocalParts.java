package org.dmarcreporter.core.report.mechanism;

/** The {@code ra=} value: a local part we can put before {@code @} without quoting (RFC 5322 dot-atom-text). */
final class LocalParts {

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private LocalParts() {}

    static boolean isDotAtom(String s) {
        if (s == null || s.isEmpty() || s.length() > 64 || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || ATEXT_SPECIALS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A 0 to 100 percentage of 1 to 3 digits, or -1. */
    static int percent(String s) {
        if (s == null || s.isEmpty() || s.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 100 ? v : -1;
    }
}
