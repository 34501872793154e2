package org.dmarcreporter.core.report.mechanism;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.model.SpfResult;

/**
 * RFC 6652 §3: a domain asks for SPF failure reports with modifiers in its own SPF record:
 * {@code ra=} (local part of the address, at the record's domain), {@code rp=} (percent,
 * default 100) and {@code rr=} (colon-separated failure types, default {@code all}: {@code e}
 * temperror/permerror, {@code f} fail, {@code s} softfail, {@code n} neutral). Only the record
 * of the domain SPF checked counts, never one reached through {@code include:}.
 *
 * <p>Our reading where the record is unclear (documented in docs/failure-reports.md): a modifier
 * given twice, an {@code ra} that is not a plain local part or an {@code rp} that is not 0 to 100
 * means no reports; unknown {@code rr} types are ignored, and an {@code rr} with none we know
 * means no reports.
 */
public final class SpfReportRequests {

    /** The {@code rr=} types RFC 6652 defines. */
    public static final Set<String> TYPES = Set.of("all", "e", "f", "s", "n");

    private SpfReportRequests() {}

    /** The SPF record found at a domain (RFC 7208 §4.5: exactly one TXT record starting {@code v=spf1}). */
    public record SpfRecord(DnsStatus status, Optional<String> record) {}

    /** Looks up the domain's SPF record; more than one, or none, is no record. Never throws. */
    public static SpfRecord lookup(DnsResolver dns, String domain) {
        TxtAnswer answer = dns.txt(domain);
        if (answer.status() != DnsStatus.NOERROR) {
            return new SpfRecord(answer.status(), Optional.empty());
        }
        List<String> spf =
                answer.records().stream().filter(SpfReportRequests::isSpfRecord).toList();
        return new SpfRecord(DnsStatus.NOERROR, spf.size() == 1 ? Optional.of(spf.get(0)) : Optional.empty());
    }

    /** RFC 7208 §4.5: {@code v=spf1}, case-insensitive, then a space or the end. */
    public static boolean isSpfRecord(String txt) {
        return txt != null && txt.regionMatches(true, 0, "v=spf1", 0, 6) && (txt.length() == 6 || txt.charAt(6) == ' ');
    }

    /** The reporting request in an SPF record, if it makes one. Never throws. */
    public static Optional<ReportRequest> parse(String spfRecord) {
        if (!isSpfRecord(spfRecord)) {
            return Optional.empty();
        }
        Map<String, String> modifiers = new HashMap<>(4);
        for (String term : spfRecord.substring(6).split("[ \\t]+")) {
            int eq = term.indexOf('=');
            if (eq <= 0 || !isModifierName(term, eq)) {
                continue; // a mechanism, or not a modifier we could read
            }
            String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
            if (name.equals("ra") || name.equals("rp") || name.equals("rr")) {
                if (modifiers.putIfAbsent(name, term.substring(eq + 1)) != null) {
                    return Optional.empty(); // given twice: we cannot tell which one is meant
                }
            }
        }
        return request(modifiers, TYPES, spfRecord);
    }

    /** The {@code rr} types a result falls under (RFC 6652 §3); empty for pass and none. */
    public static Set<String> failureTypes(SpfResult result) {
        return switch (result) {
            case FAIL -> Set.of("f");
            case SOFTFAIL -> Set.of("s");
            case NEUTRAL -> Set.of("n");
            case TEMPERROR, PERMERROR -> Set.of("e");
            case PASS, NONE -> Set.of();
        };
    }

    /** RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). */
    private static boolean isModifierName(String term, int end) {
        for (int i = 0; i < end; i++) {
            char c = term.charAt(i);
            boolean alpha = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            if (!(alpha || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    /** Shared by the SPF and DKIM forms: {@code ra} required, {@code rp} default 100, {@code rr} default all. */
    static Optional<ReportRequest> request(Map<String, String> tags, Set<String> known, String text) {
        String ra = tags.get("ra");
        if (ra == null || !LocalParts.isDotAtom(ra)) {
            return Optional.empty();
        }
        int percent = tags.containsKey("rp") ? LocalParts.percent(tags.get("rp")) : 100;
        if (percent < 0) {
            return Optional.empty();
        }
        Set<String> types = new HashSet<>();
        String rr = tags.get("rr");
        if (rr == null) {
            types.add("all");
        } else {
            for (String t : rr.split(":", -1)) {
                String type = t.trim().toLowerCase(Locale.ROOT);
                if (known.contains(type)) {
                    types.add(type);
                }
            }
            if (types.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of(new ReportRequest(ra, percent, types, text));
    }
}
