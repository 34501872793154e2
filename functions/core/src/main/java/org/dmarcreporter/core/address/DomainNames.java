package org.dmarcreporter.core.address;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Domain names as DMARC compares them: A-labels, lower case, no trailing dot (RFC 9989 §5.3.1,
 * RFC 4343). Only host names pass validation: labels of letters, digits and inner hyphens
 * (RFC 1123 §2.1), 1 to 63 characters each, 253 characters in all (RFC 1035 §2.3.4), and a last
 * label that is not all digits (so that {@code 192.0.2.1} is not taken for a domain). Underscores
 * are refused: they occur in service names, never in mail domains.
 *
 * <p>U-labels are converted with {@link IDN#toASCII(String, int)}, which implements IDNA2003
 * (RFC 3490); for the few code points where IDNA2008 differs (such as {@code ß}) the A-label can
 * differ from what an IDNA2008 library gives.
 */
public final class DomainNames {

    static final int MAX_LABEL = 63;
    static final int MAX_NAME = 253;

    private DomainNames() {}

    /**
     * The normalised form of {@code name}: trimmed, one trailing dot removed, U-labels converted to
     * A-labels, lower case; empty when the result is not a valid host name (see the class comment).
     * Never throws.
     */
    public static Optional<String> normalize(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String s = name.strip();
        if (s.isEmpty() || s.length() > 4 * MAX_NAME) {
            return Optional.empty(); // far beyond 253 characters: refused without further work
        }
        if (!isAscii(s)) {
            try {
                // Maps U-labels to A-labels, and the ideographic full stops to '.'.
                s = IDN.toASCII(s, IDN.ALLOW_UNASSIGNED);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = asciiLowerCase(s);
        return isValidHostName(s) ? Optional.of(s) : Optional.empty();
    }

    /**
     * Whether {@code name} is already a normalised host name: lower-case LDH labels, no trailing
     * dot, within the length limits.
     */
    public static boolean isValidHostName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        int labelStart = 0;
        boolean lastLabelAllDigits = true;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int length = i - labelStart;
                if (length == 0 || length > MAX_LABEL || name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                    return false;
                }
                if (i < name.length()) {
                    labelStart = i + 1;
                    lastLabelAllDigits = true;
                }
                continue;
            }
            char c = name.charAt(i);
            if (c >= 'a' && c <= 'z' || c == '-') {
                lastLabelAllDigits = false;
            } else if (!(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return !lastLabelAllDigits;
    }

    /**
     * The labels of a normalised name, left to right ({@code a.example.com} gives
     * {@code [a, example, com]}); a trailing dot is ignored; empty for null or empty input.
     */
    public static List<String> labels(String name) {
        List<String> labels = new ArrayList<>();
        if (name == null) {
            return labels;
        }
        int end = name.endsWith(".") ? name.length() - 1 : name.length();
        if (end <= 0) {
            return labels;
        }
        int start = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || name.charAt(i) == '.') {
                labels.add(name.substring(start, i));
                start = i + 1;
            }
        }
        return labels;
    }

    /** Number of labels of a normalised name (0 for null or empty). */
    public static int labelCount(String name) {
        return labels(name).size();
    }

    /**
     * The name without its left-most label ({@code a.example.com} gives {@code example.com}); empty
     * for a single label (the root is not a DMARC name), null or empty input.
     */
    public static Optional<String> parent(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String s = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        int dot = s.indexOf('.');
        if (dot < 0 || dot == s.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(s.substring(dot + 1));
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String asciiLowerCase(String s) {
        char[] chars = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (chars == null) {
                    chars = s.toCharArray();
                }
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return chars == null ? s : new String(chars);
    }
}
