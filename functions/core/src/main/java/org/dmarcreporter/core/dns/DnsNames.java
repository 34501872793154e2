package org.dmarcreporter.core.dns;

import java.net.IDN;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * One text form for a domain name, so that lookups and cache keys compare names the way the DNS
 * does: ASCII case-insensitively (RFC 4343), with or without the trailing dot. The form is lower
 * case, without the trailing dot, the root being {@code ""}; characters outside letters, digits,
 * {@code -}, {@code _} and {@code *} use dnsjava's master-file escapes ({@code \032}).
 */
final class DnsNames {

    /** RFC 1035 §2.3.4: 63 octets per label; 255 octets on the wire is 253 characters of text. */
    private static final int MAX_LABEL = 63;

    private static final int MAX_TEXT = 253;

    private DnsNames() {}

    /**
     * The canonical text of {@code name}, or null when it is not a valid domain name (empty label,
     * label or name too long, bad escape, a U-label that does not convert to an A-label). Returns
     * {@code name} itself, without copying, when it is already canonical: this runs on every
     * cached lookup.
     */
    static String canonical(String name) {
        int length = name.length();
        if (length == 0 || (length == 1 && name.charAt(0) == '.')) {
            return "";
        }
        int end = name.charAt(length - 1) == '.' ? length - 1 : length;
        if (end > MAX_TEXT) {
            return null;
        }
        boolean upper = false;
        int labelLength = 0;
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return null;
                }
                labelLength = 0;
                continue;
            }
            if (++labelLength > MAX_LABEL) {
                return null;
            }
            if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*')) {
                return viaDnsjava(name);
            }
        }
        if (labelLength == 0) {
            return null;
        }
        String plain = end == length ? name : name.substring(0, end);
        return upper ? asciiLowerCase(plain) : plain;
    }

    /** The canonical text of a name dnsjava parsed (zone files, answers). */
    static String canonical(Name name) {
        if (name.labels() <= 1 && name.isAbsolute()) {
            return "";
        }
        return name.canonicalize().toString(true);
    }

    /** The dnsjava name of canonical text (absolute). Only valid canonical text may be passed. */
    static Name toName(String canonical) throws TextParseException {
        return canonical.isEmpty() ? Name.root : Name.fromString(canonical, Name.root);
    }

    private static String viaDnsjava(String name) {
        String ascii = name;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) > 0x7f) {
                try {
                    // The callers pass A-labels; a stray U-label is converted rather than sent as raw octets.
                    ascii = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                break;
            }
        }
        try {
            return canonical(Name.fromString(ascii, Name.root));
        } catch (TextParseException e) {
            return null;
        }
    }

    private static String asciiLowerCase(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return new String(chars);
    }
}
