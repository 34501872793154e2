package org.dmarcreporter.core.address;

import java.util.Locale;
import java.util.Optional;

/**
 * Parses IP address literals without ever touching the DNS ({@code InetAddress.getByName} would
 * resolve a host name) and writes them in one canonical form, so that {@code 2001:DB8::1} and
 * {@code 2001:db8:0::1} count in the same report row (RFC 5952 §4 for IPv6). An IPv4-mapped
 * address ({@code ::ffff:198.51.100.7}, RFC 4291 §2.5.5.2) is the IPv4 sender seen through a
 * dual-stack socket, and is written as that IPv4 address. Digits are ASCII only: a parser that
 * took fullwidth or other Unicode digits would make one address look like another.
 */
public final class IpAddresses {

    private IpAddresses() {}

    /** The canonical text of an IPv4 or IPv6 literal, or empty when {@code text} is not one. */
    public static Optional<String> normalize(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return Optional.empty();
        }
        if (text.indexOf(':') < 0) {
            int[] v4 = parseIpv4(text);
            return v4 == null ? Optional.empty() : Optional.of(v4[0] + "." + v4[1] + "." + v4[2] + "." + v4[3]);
        }
        int[] groups = parseIpv6(text);
        return groups == null ? Optional.empty() : Optional.of(formatIpv6(groups));
    }

    /**
     * {@code address} (as {@link #normalize} writes it) with IPv6 in the full eight-group form:
     * lower-case hex, no leading zeros, no "::", an embedded dotted quad as two hex groups. The
     * RFC 7489 schema's IPAddress type matches only that form (errata 5221, 7865). IPv4 and text
     * that is not an address are returned as they are.
     */
    public static String uncompressed(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        int[] g = parseIpv6(address);
        if (g == null) {
            return address;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** Dotted quad, each part 0-255 without leading zeros (which some parsers read as octal). */
    private static int[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = v;
        }
        return out;
    }

    /** RFC 4291 §2.2 text forms, including "::" and a trailing dotted quad; no zone index. */
    private static int[] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] headGroups = parseGroups(head, gap < 0);
        int[] tailGroups = gap >= 0 ? parseGroups(tail, true) : new int[0];
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        int[] out = new int[8];
        System.arraycopy(headGroups, 0, out, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, out, 8 - tailGroups.length, tailGroups.length);
        return out;
    }

    /** Colon-separated hex groups; the last may be a dotted quad when {@code last} allows it. */
    private static int[] parseGroups(String s, boolean last) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int count = parts.length;
        boolean v4 = last && parts[count - 1].indexOf('.') >= 0;
        int[] out = new int[count + (v4 ? 1 : 0)];
        for (int i = 0; i < count; i++) {
            String p = parts[i];
            if (v4 && i == count - 1) {
                int[] q = parseIpv4(p);
                if (q == null) {
                    return null;
                }
                out[i] = (q[0] << 8) | q[1];
                out[i + 1] = (q[2] << 8) | q[3];
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = hexDigit(p.charAt(j));
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }

    /** The value of an ASCII hex digit, or -1 ({@code Character.digit} also takes other scripts' digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * RFC 5952 §4: lower case, no leading zeros, the longest run (2+) of zero groups as "::";
     * an IPv4-mapped address as its IPv4 address, so that it counts in the same row.
     */
    private static String formatIpv6(int[] g) {
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return (g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            b.append(Integer.toHexString(g[i]).toLowerCase(Locale.ROOT));
            if (i < 7) {
                b.append(':');
            }
        }
        return b.toString();
    }
}
