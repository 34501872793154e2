package org.dmarcreporter.core.report.arf;

/**
 * Makes text from a posted result or a DNS record safe inside one report field: a field can
 * never gain a second line (no header or part injection, RFC 5322 §2.2).
 */
final class ArfText {

    private ArfText() {}

    /** Controls (CR and LF included) become spaces; the ends are trimmed; null stays null. */
    static String value(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(
                    c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                            ? ' '
                            : c);
        }
        return b.toString().trim();
    }

    /**
     * An RFC 8601 {@code pvalue}: the text itself when it is a plain token (letters, digits,
     * {@code . - _ @}), else a quoted-string with {@code "} and {@code \} escaped.
     */
    static String pvalue(String s) {
        String v = value(s == null ? "" : s);
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '-'
                    || c == '_'
                    || c == '@';
        }
        if (plain) {
            return v;
        }
        return quoted(v);
    }

    /** An RFC 5322 quoted-string. */
    static String quoted(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    static boolean isAscii(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
