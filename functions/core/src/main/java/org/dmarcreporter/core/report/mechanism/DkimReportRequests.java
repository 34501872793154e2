package org.dmarcreporter.core.report.mechanism;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.report.arf.AuthFailure;

/**
 * RFC 6651 §4: a signer that puts {@code r=y} in its DKIM-Signature asks for reports through a
 * TXT record at {@code _report._domainkey.<d=>}, a DKIM tag-list (RFC 6376 §3.2) with
 * {@code ra=} (local part, at the {@code d=} domain; DKIM-Quoted-Printable), {@code rp=}
 * (percent, default 100), {@code rr=} (colon-separated types, default {@code all}: {@code d} DNS
 * and key problems, {@code o} other, {@code p} policy, {@code s} signature syntax, {@code u}
 * unknown tags, {@code v} verification failures, {@code x} expired) and {@code rs=} (an SMTP
 * reply text, not used: we never reject).
 *
 * <p>A tag given twice makes the whole tag-list invalid (RFC 6376 §3.2); more than one TXT record
 * at the name is treated as none (we cannot tell which applies).
 */
public final class DkimReportRequests {

    /** The {@code rr=} types RFC 6651 defines. */
    public static final Set<String> TYPES = Set.of("all", "d", "o", "p", "s", "u", "v", "x");

    private DkimReportRequests() {}

    /** The name of a signer's reporting record. */
    public static String recordName(String signingDomain) {
        return "_report._domainkey." + signingDomain;
    }

    /** What the lookup found: the status, and the request when there is exactly one valid record. */
    public record Lookup(DnsStatus status, Optional<ReportRequest> request) {}

    public static Lookup lookup(DnsResolver dns, String signingDomain) {
        TxtAnswer answer = dns.txt(recordName(signingDomain));
        if (answer.status() != DnsStatus.NOERROR) {
            return new Lookup(answer.status(), Optional.empty());
        }
        List<String> records = answer.records();
        return new Lookup(DnsStatus.NOERROR, records.size() == 1 ? parse(records.get(0)) : Optional.empty());
    }

    /** The request a reporting record makes, if any. Never throws. */
    public static Optional<ReportRequest> parse(String txt) {
        if (txt == null) {
            return Optional.empty();
        }
        Map<String, String> tags = new HashMap<>(4);
        for (String spec : txt.split(";", -1)) {
            if (spec.isBlank()) {
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq < 0) {
                return Optional.empty(); // not a tag-list
            }
            String name = spec.substring(0, eq).strip();
            if (!isTagName(name)) {
                return Optional.empty();
            }
            String value = spec.substring(eq + 1).strip();
            if (tags.putIfAbsent(name, value) != null) {
                return Optional.empty(); // RFC 6376 §3.2: duplicate tag, the whole list is invalid
            }
        }
        String ra = tags.get("ra");
        if (ra != null) {
            String decoded = quotedPrintable(ra);
            if (decoded == null) {
                return Optional.empty();
            }
            tags.put("ra", decoded);
        }
        return SpfReportRequests.request(tags, TYPES, txt);
    }

    /**
     * The {@code rr} types a failed signature falls under. We know the result, not always why it
     * failed: a {@code fail} is a verification failure ({@code v}), a revoked key a DNS/key problem
     * ({@code d}), a {@code permerror} counts as {@code o} (other).
     */
    public static Set<String> failureTypes(DkimResult result, AuthFailure kind) {
        if (kind == AuthFailure.REVOKED) {
            return Set.of("d");
        }
        return switch (result) {
            case FAIL -> Set.of("v");
            case PERMERROR -> Set.of("o");
            default -> Set.of();
        };
    }

    /** RFC 6376 §3.2: tag-name = ALPHA *ALNUMPUNC (ALNUMPUNC = ALPHA / DIGIT / "_"). */
    private static boolean isTagName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alpha = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            if (!(alpha || i > 0 && (c >= '0' && c <= '9' || c == '_'))) {
                return false;
            }
        }
        return true;
    }

    /** DKIM-Quoted-Printable (RFC 6376 §2.11): {@code =XX} hex escapes; white space ignored. Null when malformed. */
    private static String quotedPrintable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                continue;
            }
            if (c == '=') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                b.append((char) (hi * 16 + lo));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
