package org.dmarcreporter.core.record;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.address.DomainNames;

/** The {@code rua}/{@code ruf} URI lists (RFC 9989 §4.7, §4.8); see {@link DmarcRecordParser}. */
final class ReportUris {

    private static final String MAILTO = "mailto:";

    private ReportUris() {}

    /** {@code dmarc-urilist = dmarc-uri *(*WSP "," *WSP dmarc-uri)}; invalid URIs are dropped. */
    static List<ReportUri> parseList(String value) {
        List<ReportUri> uris = new ArrayList<>();
        for (String item : DmarcRecordParser.split(value, ',')) {
            ReportUri uri = parseOne(DmarcRecordParser.trim(item));
            if (uri != null) {
                uris.add(uri);
            }
        }
        return List.copyOf(uris);
    }

    /** One URI with its optional obsolete {@code !size} suffix; null when not usable. */
    static ReportUri parseOne(String item) {
        if (item.isEmpty()) {
            return null;
        }
        Long maxBytes = null;
        String uri = item;
        int bang = item.indexOf('!');
        if (bang >= 0) {
            // '!' must be percent-encoded inside the URI (§4.8), so the first one starts the suffix.
            maxBytes = size(item.substring(bang + 1));
            uri = item.substring(0, bang);
        }
        if (!isUri(uri)) {
            return null;
        }
        if (uri.regionMatches(true, 0, MAILTO, 0, MAILTO.length())) {
            String mailbox = mailbox(uri.substring(MAILTO.length()));
            return mailbox == null ? null : new ReportUri(uri, mailbox, maxBytes);
        }
        return new ReportUri(uri, null, maxBytes);
    }

    /** RFC 7489 §6.4: {@code 1*DIGIT [ "k" / "m" / "g" / "t" ]}, units of 1024; null when not that. */
    static Long size(String suffix) {
        if (suffix.isEmpty()) {
            return null;
        }
        int shift = switch (Character.toLowerCase(suffix.charAt(suffix.length() - 1))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? suffix : suffix.substring(0, suffix.length() - 1);
        if (digits.isEmpty() || digits.length() > 18) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return null;
            }
        }
        long n = Long.parseLong(digits);
        if (n > (Long.MAX_VALUE >> shift)) {
            return null; // more than any size that can be represented: no usable limit
        }
        return n << shift;
    }

    /**
     * RFC 3986 {@code URI}, checked at the character level: {@code scheme ":"} followed by at least
     * one character, all of them unreserved, reserved or {@code %HH}, with at most one {@code #}.
     */
    static boolean isUri(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || !isAsciiLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = s.charAt(i);
            if (!(isAsciiLetter(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        boolean fragment = false;
        for (int i = colon + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c == '#') {
                if (fragment) {
                    return false;
                }
                fragment = true;
            } else if (!isUriChar(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address of a {@code mailto:} URI (RFC 6068): the part before {@code ?}/{@code #},
     * percent-decoded as UTF-8; null unless it is {@code local@domain} with a dot-atom local part
     * (RFC 5322 §3.4.1) and a valid host name.
     */
    static String mailbox(String afterScheme) {
        int end = afterScheme.length();
        for (int i = 0; i < afterScheme.length(); i++) {
            char c = afterScheme.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String address = percentDecode(afterScheme.substring(0, end));
        if (address == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || !isDotAtom(address.substring(0, at))) {
            return null;
        }
        String domain = address.substring(at + 1);
        if (!domain.equals(domain.strip()) || DomainNames.normalize(domain).isEmpty()) {
            return null;
        }
        return address;
    }

    private static boolean isDotAtom(String local) {
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!(isAsciiLetter(c) || c >= '0' && c <= '9' || c == '.' || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** Strict UTF-8 percent-decoding; null on a malformed escape or byte sequence. */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                bytes.write(c); // isUri already limited the text to ASCII
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isUriChar(char c) {
        return isAsciiLetter(c)
                || c >= '0' && c <= '9'
                || "-._~".indexOf(c) >= 0 // unreserved
                || ":/?[]@".indexOf(c) >= 0 // gen-delims ('#' handled by the caller)
                || "!$&'()*+,;=".indexOf(c) >= 0; // sub-delims
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
