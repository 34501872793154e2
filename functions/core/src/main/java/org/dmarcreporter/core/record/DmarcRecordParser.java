package org.dmarcreporter.core.record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.model.Policy;

/**
 * Parses the text of one DMARC TXT record (its strings already concatenated, RFC 9989 §4.5) into a
 * {@link DmarcRecord} (RFC 9989 §4.7, §4.8; RFC 7489 §6.3 for the removed tags). Never throws.
 *
 * <p>Grammar (RFC 9989 §4.8): {@code dmarc-record = dmarc-version *(dmarc-sep dmarc-tag)
 * [dmarc-sep]}, {@code dmarc-sep = *WSP ";" *WSP}, {@code dmarc-tag = 1*ALPHA equals 1*dmarc-value},
 * {@code equals = *WSP "=" *WSP}, {@code dmarc-value = %x20-3A / %x3C-7E},
 * {@code dmarc-version = "v" equals %s"DMARC1"}.
 *
 * <p>Choices where the RFC leaves room, all following "syntax errors in the remainder of the record
 * MUST be discarded in favor of default values (if any) or ignored outright" (§4.7):
 * <ul>
 *   <li><b>Version.</b> The first element must be the tag {@code v} with the value {@code DMARC1},
 *       both exactly: tag names are case-sensitive in the DKIM tag-value syntax DMARC uses
 *       (RFC 6376 §3.2) and the value is {@code %s"DMARC1"}. {@code V=DMARC1}, {@code v=dmarc1},
 *       {@code v=DMARC1x} or a record starting with another tag are
 *       {@link RecordParseResult.Reason#NOT_DMARC1}. A first element that is not {@code name=value}
 *       with an ALPHA name at all is {@link RecordParseResult.Reason#SYNTAX}; null, empty or
 *       whitespace-only text is {@link RecordParseResult.Reason#EMPTY}.</li>
 *   <li><b>Whitespace.</b> Space, tab, CR and LF around tags, names, {@code =} and values are
 *       skipped (the DKIM tag-list allows folding whitespace), also before {@code v} and after
 *       the last tag.</li>
 *   <li><b>Tag names</b> are case-sensitive: {@code P=reject} is an unknown tag and ignored. Unknown
 *       tags are ignored (§4.7). Elements that are not {@code name=value} with an ALPHA name,
 *       and empty elements ({@code ;;}), are ignored.</li>
 *   <li><b>Repeated tags.</b> The first occurrence wins, valid or not; later ones are ignored.</li>
 *   <li><b>Values</b> of the enumerated tags ({@code p sp np adkim aspf psd t fo}) are compared
 *       case-insensitively: ABNF literals are case-insensitive (RFC 5234 §2.3), and receivers
 *       commonly accept {@code p=Reject}. A value with characters outside {@code dmarc-value}
 *       (controls other than HTAB, non-ASCII) is a syntax error of that tag.</li>
 *   <li><b>{@code p}, {@code sp}, {@code np}.</b> {@code p} absent: {@code none}. Present but not
 *       {@code none|quarantine|reject} (an empty value included): {@code policyValid=false},
 *       {@code p=none}, and for {@code sp}/{@code np} the invalid one stays empty; the evaluator
 *       then applies §4.10.1 (act as {@code p=none} with a valid {@code rua}, else no processing).</li>
 *   <li><b>{@code adkim aspf psd t}</b>: an invalid value gives the default ({@code r r u n}).</li>
 *   <li><b>{@code fo}</b>: {@code 0}, {@code 1}, {@code d}, {@code s} joined by {@code :} in any
 *       order, each at most once, {@code 0} and {@code 1} not together (RFC 9989 §4.7). Anything
 *       else gives {@link FailureOptions#DEFAULT}. The published text is kept for reports.</li>
 *   <li><b>{@code rua}, {@code ruf}</b>: split on {@code ,} with optional whitespace (§4.8). An
 *       obsolete {@code !size[kmgt]} suffix is cut off and kept in {@link ReportUri#maxBytes()}
 *       (k = 1024, m = 1024², ...); a suffix that is not a size is cut off and ignored. URIs that
 *       are not RFC 3986 URIs (no scheme, spaces, bad percent-escapes, characters outside the URI
 *       set) are dropped. {@code mailto:} URIs (scheme case-insensitive) get the percent-decoded
 *       address without any {@code ?query} as mailbox, and are dropped unless that address is
 *       {@code local@domain} with a dot-atom local part and a valid host name, so that nothing
 *       unusable or unsafe reaches SMTP. Other schemes are kept with a null mailbox: the sender
 *       ignores those it does not support (§4.7).</li>
 *   <li><b>{@code pct rf ri}</b> (removed by RFC 9989, unknown to it) are still read for the
 *       RFC 7489 report format: {@code pct} an integer 0..100, {@code ri} a non-negative integer
 *       of seconds, {@code rf} the trimmed text; invalid values leave them empty.</li>
 * </ul>
 */
public final class DmarcRecordParser {

    private static final int MAX_DIGITS = 18; // fits a long

    /** The answer if the parser itself failed; tests check that no input leads here. */
    static final RecordParseResult UNREADABLE =
            new RecordParseResult.Invalid(RecordParseResult.Reason.SYNTAX, "unreadable record");

    private DmarcRecordParser() {}

    public static RecordParseResult parse(String text) {
        try {
            return parseRecord(text);
        } catch (RuntimeException e) {
            // Defensive only: every path above checks its input.
            return UNREADABLE;
        }
    }

    private static RecordParseResult parseRecord(String text) {
        if (text == null || trim(text).isEmpty()) {
            return new RecordParseResult.Invalid(RecordParseResult.Reason.EMPTY, "empty record");
        }
        List<String> elements = split(text, ';');
        String first = trim(elements.get(0));
        int eq = first.indexOf('=');
        if (eq < 0 || !isAlpha(trim(first.substring(0, eq)))) {
            return new RecordParseResult.Invalid(
                    RecordParseResult.Reason.SYNTAX, "does not start with a tag=value pair");
        }
        String name = trim(first.substring(0, eq));
        String value = trim(first.substring(eq + 1));
        if (!name.equals("v") || !value.equals("DMARC1")) {
            return new RecordParseResult.Invalid(RecordParseResult.Reason.NOT_DMARC1, "first tag is not v=DMARC1");
        }

        Tags tags = new Tags();
        tagValues(elements).forEach(tags::apply);
        return new RecordParseResult.Valid(tags.toRecord(text));
    }

    /** The tags after {@code v}, each with its first value, in record order. */
    private static Map<String, String> tagValues(List<String> elements) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < elements.size(); i++) {
            String element = trim(elements.get(i));
            int e = element.indexOf('=');
            if (e < 0) {
                continue; // empty element or not name=value: discarded (§4.7)
            }
            String tag = trim(element.substring(0, e));
            if (!isAlpha(tag) || tag.equals("v") || values.containsKey(tag)) {
                continue; // not a tag name, or repeated: the first occurrence wins
            }
            values.put(tag, trim(element.substring(e + 1)));
        }
        return values;
    }

    /**
     * The tags after {@code v} as published, each with its first value (trimmed), in record
     * order; what the parser made of them is in {@link DmarcRecord}. Empty for a record that is
     * not valid.
     */
    public static Map<String, String> publishedTags(String text) {
        if (!(parse(text) instanceof RecordParseResult.Valid)) {
            return Map.of();
        }
        return Collections.unmodifiableMap(tagValues(split(text, ';')));
    }

    /**
     * The items of a {@code rua} or {@code ruf} tag ({@code tag}) that are not usable URIs, as
     * published; the parser drops them (§4.7), and the aggregate report names them in its
     * {@code error} element (RFC 9990 §3.1.5). Empty for a record that is not valid.
     */
    public static List<String> unusableReportUris(String text, String tag) {
        if (!(parse(text) instanceof RecordParseResult.Valid)) {
            return List.of();
        }
        String value = tagValues(split(text, ';')).get(tag);
        if (value == null) {
            return List.of();
        }
        if (value.isEmpty() || !isDmarcValue(value)) {
            return List.of(value);
        }
        List<String> unusable = new ArrayList<>();
        for (String item : split(value, ',')) {
            String trimmed = trim(item);
            if (!trimmed.isEmpty() && ReportUris.parseOne(trimmed) == null) {
                unusable.add(trimmed);
            }
        }
        return List.copyOf(unusable);
    }

    /** Accumulates tag values; starts at the defaults of RFC 9989 §4.7. */
    private static final class Tags {
        Policy policy = Policy.NONE;
        boolean policyValid = true;
        Optional<Policy> subdomainPolicy = Optional.empty();
        Optional<Policy> nonExistentPolicy = Optional.empty();
        AlignmentMode dkimAlignment = AlignmentMode.RELAXED;
        AlignmentMode spfAlignment = AlignmentMode.RELAXED;
        PsdFlag psd = PsdFlag.U;
        boolean testMode;
        FailureOptions failureOptions = FailureOptions.DEFAULT;
        List<ReportUri> aggregateUris = List.of();
        List<ReportUri> failureUris = List.of();
        Optional<Integer> pct = Optional.empty();
        Optional<String> reportFormat = Optional.empty();
        Optional<Long> reportInterval = Optional.empty();

        void apply(String tag, String value) {
            boolean valueSyntaxOk = !value.isEmpty() && isDmarcValue(value);
            String token = value.toLowerCase(Locale.ROOT);
            switch (tag) {
                case "p" -> {
                    Optional<Policy> p = valueSyntaxOk ? Policy.fromToken(token) : Optional.empty();
                    p.ifPresent(v -> policy = v);
                    policyValid &= p.isPresent();
                }
                case "sp" -> {
                    subdomainPolicy = valueSyntaxOk ? Policy.fromToken(token) : Optional.empty();
                    policyValid &= subdomainPolicy.isPresent();
                }
                case "np" -> {
                    nonExistentPolicy = valueSyntaxOk ? Policy.fromToken(token) : Optional.empty();
                    policyValid &= nonExistentPolicy.isPresent();
                }
                case "adkim" -> dkimAlignment = alignment(token);
                case "aspf" -> spfAlignment = alignment(token);
                case "psd" ->
                    psd = switch (token) {
                        case "y" -> PsdFlag.Y;
                        case "n" -> PsdFlag.N;
                        default -> PsdFlag.U;
                    };
                case "t" -> testMode = token.equals("y");
                case "fo" -> failureOptions = valueSyntaxOk ? failureOptions(value) : FailureOptions.DEFAULT;
                case "rua" -> aggregateUris = valueSyntaxOk ? ReportUris.parseList(value) : List.of();
                case "ruf" -> failureUris = valueSyntaxOk ? ReportUris.parseList(value) : List.of();
                case "pct" -> pct = nonNegative(value).filter(n -> n <= 100).map(Long::intValue);
                case "ri" -> reportInterval = nonNegative(value);
                case "rf" -> reportFormat = valueSyntaxOk ? Optional.of(value) : Optional.empty();
                default -> {
                    // Unknown tag: ignored (RFC 9989 §4.7).
                }
            }
        }

        DmarcRecord toRecord(String text) {
            return new DmarcRecord(
                    text,
                    policy,
                    policyValid,
                    subdomainPolicy,
                    nonExistentPolicy,
                    dkimAlignment,
                    spfAlignment,
                    psd,
                    testMode,
                    failureOptions,
                    aggregateUris,
                    failureUris,
                    pct,
                    reportFormat,
                    reportInterval);
        }
    }

    private static AlignmentMode alignment(String token) {
        return token.equals("s") ? AlignmentMode.STRICT : AlignmentMode.RELAXED;
    }

    /** {@code fo}: 0/1/d/s joined by ':', each at most once, not both 0 and 1 (RFC 9989 §4.7). */
    static FailureOptions failureOptions(String value) {
        boolean zero = false;
        boolean one = false;
        boolean d = false;
        boolean s = false;
        for (String part : split(value, ':')) {
            switch (trim(part).toLowerCase(Locale.ROOT)) {
                case "0" -> {
                    if (zero) {
                        return FailureOptions.DEFAULT;
                    }
                    zero = true;
                }
                case "1" -> {
                    if (one) {
                        return FailureOptions.DEFAULT;
                    }
                    one = true;
                }
                case "d" -> {
                    if (d) {
                        return FailureOptions.DEFAULT;
                    }
                    d = true;
                }
                case "s" -> {
                    if (s) {
                        return FailureOptions.DEFAULT;
                    }
                    s = true;
                }
                default -> {
                    return FailureOptions.DEFAULT;
                }
            }
        }
        if (zero && one) {
            return FailureOptions.DEFAULT;
        }
        return new FailureOptions(zero, one, d, s, value);
    }

    /** 1*DIGIT as a long, empty when not digits or too long. */
    private static Optional<Long> nonNegative(String value) {
        if (value.isEmpty() || value.length() > MAX_DIGITS) {
            return Optional.empty();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(value));
    }

    /**
     * dmarc-value = %x20-3A / %x3C-7E: printable ASCII and space, except ';'; also HTAB, which the
     * value rules themselves allow as WSP (dmarc-urilist).
     */
    private static boolean isDmarcValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e || c == ';') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** Removes WSP (and CR, LF) from both ends. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Splits on {@code sep}, keeping empty parts (unlike {@link String#split}). */
    static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == sep) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
