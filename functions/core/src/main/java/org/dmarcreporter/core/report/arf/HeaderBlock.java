package org.dmarcreporter.core.report.arf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An original message's header block as a failure report quotes it ({@code text/rfc822-headers},
 * RFC 6522 §4 via RFC 5965 §2): header fields only. The text comes from the ingest API as posted,
 * so it is cleaned on the way in:
 * <ul>
 *   <li>everything after the first empty line is a body and is dropped (RFC 9991 §7.3: headers only);</li>
 *   <li>any line that is neither {@code name:value} nor a folded continuation is dropped, so no line
 *       can end our MIME part early (a boundary line starts with {@code --} and has no colon);</li>
 *   <li>CR, LF and other control characters inside a line become spaces; lines end with CRLF.</li>
 * </ul>
 * Immutable.
 */
public final class HeaderBlock {

    /** The fields kept by {@link Privacy.HeaderScope#ESSENTIAL}: enough to find the source, not the people. */
    static final Set<String> ESSENTIAL = Set.of(
            "from",
            "date",
            "subject",
            "message-id",
            "received",
            "return-path",
            "authentication-results",
            "dkim-signature",
            "arc-authentication-results");

    /**
     * One field.
     *
     * @param name  the field name as written
     * @param value everything after the colon; folded lines joined with CRLF (each continuation
     *              starts with a space or tab)
     */
    public record Field(String name, String value) {

        /** The value unfolded (RFC 5322 §2.2.3) and trimmed. */
        public String unfolded() {
            return value.replace("\r\n", "").trim();
        }
    }

    private final List<Field> fields;

    private HeaderBlock(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    /** The header fields of {@code text} (null or blank: none). Never throws. */
    public static HeaderBlock parse(String text) {
        List<Field> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return new HeaderBlock(out);
        }
        String name = null;
        StringBuilder value = null;
        int length = text.length();
        int start = 0;
        while (start <= length) {
            int end = start;
            while (end < length && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
                end++;
            }
            String line = text.substring(start, end);
            if (line.isEmpty() && (name != null || !out.isEmpty())) {
                break; // the empty line that ends the header section: what follows is a body
            }
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (name != null) {
                    value.append("\r\n").append(clean(line));
                }
            } else {
                int colon = fieldNameEnd(line);
                if (name != null) {
                    out.add(new Field(name, value.toString()));
                    name = null;
                }
                if (colon > 0) {
                    name = line.substring(0, colon);
                    value = new StringBuilder(clean(line.substring(colon + 1)));
                }
            }
            if (end >= length) {
                break;
            }
            start = end + (text.charAt(end) == '\r' && end + 1 < length && text.charAt(end + 1) == '\n' ? 2 : 1);
        }
        if (name != null) {
            out.add(new Field(name, value.toString()));
        }
        return new HeaderBlock(out);
    }

    /** A block of the given fields (values are cleaned the same way). */
    public static HeaderBlock of(List<Field> fields) {
        List<Field> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (fieldNameEnd(f.name() + ":") == f.name().length() && !f.name().isEmpty()) {
                out.add(new Field(f.name(), clean(f.value())));
            }
        }
        return new HeaderBlock(out);
    }

    public List<Field> fields() {
        return fields;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The first field named {@code name} (case-insensitive), unfolded. */
    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return Optional.of(f.unfolded());
            }
        }
        return Optional.empty();
    }

    /** Only the fields a minimal report needs ({@link #ESSENTIAL}). */
    public HeaderBlock essential() {
        return new HeaderBlock(fields.stream()
                .filter(f -> ESSENTIAL.contains(f.name().toLowerCase(Locale.ROOT)))
                .toList());
    }

    /** Each value passed through {@code change} (field names stay). */
    public HeaderBlock mapValues(UnaryOperator<Field> change) {
        List<Field> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            Field changed = change.apply(f);
            out.add(new Field(f.name(), clean(changed.value())));
        }
        return new HeaderBlock(out);
    }

    /** The block as text: {@code name:value} lines, each ending with CRLF. */
    public String toText() {
        StringBuilder b = new StringBuilder(fields.size() * 64);
        for (Field f : fields) {
            b.append(f.name()).append(':').append(f.value()).append("\r\n");
        }
        return b.toString();
    }

    /**
     * The index of the colon ending a field name (RFC 5322 §3.6.8: printable ASCII except colon),
     * or -1 when {@code line} does not start with one.
     */
    private static int fieldNameEnd(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ':') {
                return i == 0 ? -1 : i;
            }
            if (c < 0x21 || c > 0x7e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Control characters (CR and LF outside a CRLF fold, NUL, DEL, ...) become spaces; a CRLF
     * followed by a space or tab (a fold) stays. Non-ASCII text stays (RFC 6532).
     */
    static String clean(String s) {
        StringBuilder b = null;
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            boolean fold = c == '\r'
                    && i + 2 < length
                    && s.charAt(i + 1) == '\n'
                    && (s.charAt(i + 2) == ' ' || s.charAt(i + 2) == '\t');
            if (fold) {
                if (b != null) {
                    b.append("\r\n");
                }
                i++;
                continue;
            }
            boolean bad = (c < 0x20 && c != '\t')
                    || c == 0x7f
                    || c == '\u0085'
                    || c == '\u2028'
                    || c == '\u2029'
                    || Character.isSurrogate(c) && !validPair(s, i);
            if (bad && b == null) {
                b = new StringBuilder(length);
                b.append(s, 0, i);
            }
            if (b != null) {
                if (bad) {
                    b.append(' ');
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
