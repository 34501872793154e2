package org.dmarcreporter.core.report.mail;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * Checks an address before it reaches an SMTP envelope or a header. Addresses come from DNS
 * ({@code rua}/{@code ruf} mailto URIs, percent-decoded) and from settings, so they are refused
 * unless they are a plain {@code local@domain} with no control characters, spaces or brackets:
 * nothing can be injected into a header or an SMTP command (RFC 5321 §4.1.2, RFC 5322 §3.4.1).
 */
public final class MailAddresses {

    private MailAddresses() {}

    /** The address itself (trimmed), or an {@link IllegalArgumentException} saying why not. */
    public static String requireValid(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("an empty mail address");
        }
        String a = address.trim();
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '(' || c == ')') {
                throw new IllegalArgumentException("mail address '" + printable(a) + "' has a character that "
                        + "cannot stand in a header (control, space, bracket or comma)");
            }
        }
        int at = a.lastIndexOf('@');
        if (at <= 0 || at == a.length() - 1) {
            throw new IllegalArgumentException("mail address '" + printable(a) + "' is not local@domain");
        }
        ReportNames.domain("mail address domain", a.substring(at + 1));
        try {
            new InternetAddress(a, true).validate();
        } catch (AddressException e) {
            throw new IllegalArgumentException("mail address '" + printable(a) + "' is not valid: " + e.getMessage());
        }
        return a;
    }

    /** For error messages: control characters shown as {@code \\uXXXX}, never echoed raw into logs. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
