package org.dmarcreporter.core.address;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Takes the Author Domain(s) from an RFC5322.From header field value (RFC 9989 §5.3.1).
 *
 * <p>The value is read as an RFC 5322 §3.4 {@code address-list}: display names (atoms, quoted
 * strings, with the obsolete {@code .} allowed), comments (nested, with quoted pairs), angle
 * addresses with an obsolete route ({@code <@relay.example:a@b.example>}), bare addr-specs,
 * groups ({@code Undisclosed: a@b.example, c@d.example;}), quoted local parts and folding
 * whitespace (CR and LF count as whitespace). Non-ASCII text is allowed anywhere (RFC 6532).
 *
 * <p>It is lenient where a strict reading would only lose the domain, because a message whose From
 * domain cannot be read escapes the Domain Owner's policy:
 * <ul>
 *   <li>an element that is only words, such as the {@code Doe} of an unquoted
 *       {@code Doe, John <j@example.com>}, is skipped as stray display-name text;</li>
 *   <li>the display name before {@code <} may hold specials such as {@code @};</li>
 *   <li>{@code ;} outside a group separates addresses like {@code ,}; empty list elements are
 *       skipped (obs-addr-list); a group may lack its closing {@code ;} at the end;</li>
 *   <li>an empty local part ({@code @example.com}) still gives its domain.</li>
 * </ul>
 * It is strict where the text is ambiguous: unterminated quotes, comments, angle brackets or
 * domain literals, several angle addresses in one mailbox, several {@code @}, text after the
 * domain, nested groups, domain literals ({@code [192.0.2.1]}: no DNS name to look up) and any
 * domain that {@link DomainNames#normalize(String)} refuses make the result {@link AuthorDomains.Invalid}.
 * One bad address among good ones makes the whole value invalid. Never throws.
 */
public final class HeaderFromParser {

    /** The answer if the parser itself failed; tests check that no input leads here. */
    static final AuthorDomains UNREADABLE = new AuthorDomains.Invalid("unreadable From");

    private HeaderFromParser() {}

    public static AuthorDomains parse(String headerFromValue) {
        if (headerFromValue == null || headerFromValue.isBlank()) {
            return new AuthorDomains.Invalid("empty From");
        }
        AuthorDomains simple = simpleMailbox(headerFromValue);
        return simple != null ? simple : parseFully(headerFromValue);
    }

    /** The full RFC 5322 address-list reading, without the fast path (tests compare the two). */
    static AuthorDomains parseFully(String headerFromValue) {
        if (headerFromValue == null || headerFromValue.isBlank()) {
            return new AuthorDomains.Invalid("empty From");
        }
        try {
            List<Token> tokens = new Tokenizer(headerFromValue).tokenize();
            List<String> rawDomains = new Parser(tokens).addressList();
            if (rawDomains.isEmpty()) {
                return new AuthorDomains.Invalid("no address in From");
            }
            Set<String> domains = new LinkedHashSet<>();
            for (String raw : rawDomains) {
                String domain = DomainNames.normalize(raw).orElse(null);
                if (domain == null) {
                    return new AuthorDomains.Invalid("invalid domain in From: " + shorten(raw));
                }
                domains.add(domain);
            }
            return domains.size() == 1
                    ? new AuthorDomains.Single(domains.iterator().next())
                    : new AuthorDomains.Multiple(new ArrayList<>(domains));
        } catch (SyntaxError e) {
            return new AuthorDomains.Invalid(e.getMessage());
        } catch (RuntimeException e) {
            // Defensive only (the parser has no recursion and checks its bounds): a header must
            // never break evaluation.
            return UNREADABLE;
        }
    }

    /**
     * Fast path for the forms nearly all mail uses, {@code local@domain} and
     * {@code Display Name <local@domain>} with plain atoms: the answer the full parser would give,
     * without tokenizing. Null when the value has anything else (quotes, comments, groups, several
     * addresses, ...), which then goes through the full parser.
     */
    private static AuthorDomains simpleMailbox(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == ' ') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == ' ') {
            end--;
        }
        int lt = value.indexOf('<', start);
        int addrStart = start;
        int addrEnd = end;
        if (lt >= 0) {
            if (value.charAt(end - 1) != '>' || value.indexOf('>') != end - 1) {
                return null;
            }
            for (int i = start; i < lt; i++) {
                char c = value.charAt(i);
                if (c != ' ' && !isAtext(c)) {
                    return null;
                }
            }
            addrStart = lt + 1;
            addrEnd = end - 1;
        }
        int at = -1;
        for (int i = addrStart; i < addrEnd; i++) {
            char c = value.charAt(i);
            if (c == '@') {
                if (at >= 0) {
                    return null;
                }
                at = i;
            } else if (!isAtext(c) && c != '.') {
                return null;
            }
        }
        if (at <= addrStart || at == addrEnd - 1 || !dotAtom(value, addrStart, at)) {
            return null;
        }
        String domain = DomainNames.normalize(value.substring(at + 1, addrEnd)).orElse(null);
        return domain == null ? null : new AuthorDomains.Single(domain);
    }

    /** RFC 5322 §3.2.3 atext (ASCII only; anything else takes the full parser). */
    private static boolean isAtext(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean dotAtom(String s, int from, int to) {
        if (s.charAt(from) == '.' || s.charAt(to - 1) == '.') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            if (s.charAt(i) == '.' && s.charAt(i - 1) == '.') {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private enum Kind {
        WORD,
        QUOTED,
        LITERAL,
        SPECIAL
    }

    /** One lexical token; comments and whitespace are dropped. {@code text} of a SPECIAL is its character. */
    private record Token(Kind kind, String text) {
        boolean is(char special) {
            return kind == Kind.SPECIAL && text.charAt(0) == special;
        }
    }

    private static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Tokenizer {
        private final String s;
        private int i;
        private final List<Token> tokens = new ArrayList<>();

        Tokenizer(String s) {
            this.s = s;
        }

        List<Token> tokenize() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (isWhitespace(c)) {
                    i++;
                } else if (c == '(') {
                    skipComment();
                } else if (c == ')') {
                    throw new SyntaxError("unbalanced ')' in From");
                } else if (c == '"') {
                    tokens.add(new Token(Kind.QUOTED, quoted('"', "quoted string")));
                } else if (c == '[') {
                    tokens.add(new Token(Kind.LITERAL, quoted(']', "domain literal")));
                } else if (c == ']') {
                    throw new SyntaxError("unbalanced ']' in From");
                } else if (isSpecial(c)) {
                    tokens.add(new Token(Kind.SPECIAL, String.valueOf(c)));
                    i++;
                } else {
                    int start = i;
                    while (i < s.length() && isAtomChar(s.charAt(i))) {
                        i++;
                    }
                    tokens.add(new Token(Kind.WORD, s.substring(start, i)));
                }
            }
            return tokens;
        }

        /** Skips a comment, nested comments and quoted pairs included (RFC 5322 §3.2.2). */
        private void skipComment() {
            int depth = 0;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return;
                }
            }
            throw new SyntaxError("unterminated comment in From");
        }

        /** Content of a quoted string or domain literal starting at {@code i}, quoted pairs unescaped. */
        private String quoted(char close, String what) {
            StringBuilder b = new StringBuilder();
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    b.append(s.charAt(i++));
                } else if (c == close) {
                    return b.toString();
                } else {
                    b.append(c);
                }
            }
            throw new SyntaxError("unterminated " + what + " in From");
        }

        private static boolean isWhitespace(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }

        private static boolean isSpecial(char c) {
            return c == '<' || c == '>' || c == '@' || c == ',' || c == ':' || c == ';';
        }

        /** atext plus '.', non-ASCII (RFC 6532) and stray characters; the domain check refuses the latter. */
        private static boolean isAtomChar(char c) {
            return !isWhitespace(c) && !isSpecial(c) && c != '(' && c != ')' && c != '"' && c != '[' && c != ']';
        }
    }

    private static final class Parser {
        private final List<Token> tokens;
        private int pos;
        private final List<String> domains = new ArrayList<>();

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        List<String> addressList() {
            while (pos < tokens.size()) {
                Token t = tokens.get(pos);
                if (t.is(',') || t.is(';')) {
                    pos++; // empty element (obs-addr-list), or ';' used as a separator
                } else if (startsGroup()) {
                    group();
                } else {
                    mailbox(false);
                }
            }
            return domains;
        }

        /** Whether the element at {@code pos} is a group: a ':' comes before any other special. */
        private boolean startsGroup() {
            for (int j = pos; j < tokens.size(); j++) {
                Token t = tokens.get(j);
                if (t.kind == Kind.SPECIAL) {
                    return t.is(':');
                }
            }
            return false;
        }

        /** group = display-name ":" [group-list] ";" (RFC 5322 §3.4). */
        private void group() {
            while (!tokens.get(pos).is(':')) {
                pos++;
            }
            pos++;
            while (pos < tokens.size()) {
                Token t = tokens.get(pos);
                if (t.is(';')) {
                    pos++;
                    return;
                }
                if (t.is(',')) {
                    pos++;
                } else if (startsGroup()) {
                    throw new SyntaxError("nested group in From");
                } else {
                    mailbox(true);
                }
            }
            // A group not closed by ';' at the end of the value: accepted.
        }

        /**
         * One mailbox: the tokens up to the next ',' or ';' outside angle brackets. Adds its
         * domain, or nothing for stray display-name words.
         */
        private void mailbox(boolean inGroup) {
            int start = pos;
            int angleOpen = -1;
            int angleClose = -1;
            boolean inAngle = false;
            while (pos < tokens.size()) {
                Token t = tokens.get(pos);
                if (inAngle) {
                    if (t.is('<')) {
                        throw new SyntaxError("'<' inside an angle address in From");
                    }
                    if (t.is('>')) {
                        inAngle = false;
                        angleClose = pos;
                    }
                } else if (t.is(',') || t.is(';')) {
                    break;
                } else if (t.is('<')) {
                    if (angleOpen >= 0) {
                        throw new SyntaxError("several angle addresses in one mailbox in From");
                    }
                    angleOpen = pos;
                    inAngle = true;
                } else if (t.is('>')) {
                    throw new SyntaxError("unbalanced '>' in From");
                } else if (t.is(':')) {
                    throw new SyntaxError("unexpected ':' in From");
                } else if (angleClose >= 0) {
                    throw new SyntaxError("text after '>' in From");
                }
                pos++;
            }
            if (inAngle) {
                throw new SyntaxError("missing '>' in From");
            }
            int end = pos;
            if (angleOpen >= 0) {
                int innerStart = angleOpen + 1;
                for (int j = innerStart; j < angleClose; j++) {
                    if (tokens.get(j).is(':')) {
                        innerStart = j + 1; // obs-route "@relay.example:" before the addr-spec
                    }
                }
                if (innerStart == angleClose) {
                    throw new SyntaxError("empty angle address in From");
                }
                domains.add(addrSpecDomain(innerStart, angleClose));
                return;
            }
            boolean hasAt = false;
            for (int j = start; j < end; j++) {
                hasAt |= tokens.get(j).is('@');
            }
            if (!hasAt) {
                for (int j = start; j < end; j++) {
                    if (tokens.get(j).kind == Kind.LITERAL) {
                        throw new SyntaxError("address without '@' in From");
                    }
                }
                return; // only words: stray display-name text, or a local part without a domain
            }
            domains.add(addrSpecDomain(start, end));
        }

        /** addr-spec = local-part "@" domain; returns the domain text (obs-domain joined). */
        private String addrSpecDomain(int from, int to) {
            int at = -1;
            for (int j = from; j < to; j++) {
                Token t = tokens.get(j);
                if (t.is('@')) {
                    if (at >= 0) {
                        throw new SyntaxError("several '@' in one address in From");
                    }
                    at = j;
                } else if (t.kind == Kind.SPECIAL) {
                    throw new SyntaxError("unexpected '" + t.text + "' in From address");
                } else if (at < 0 && t.kind == Kind.LITERAL) {
                    throw new SyntaxError("domain literal in a local part in From");
                }
            }
            if (at < 0) {
                throw new SyntaxError("address without '@' in From");
            }
            if (at + 1 == to) {
                throw new SyntaxError("address without a domain in From");
            }
            StringBuilder domain = new StringBuilder();
            for (int j = at + 1; j < to; j++) {
                Token t = tokens.get(j);
                if (t.kind == Kind.LITERAL) {
                    throw new SyntaxError("domain literal in From (no DNS name to evaluate)");
                }
                if (t.kind == Kind.QUOTED) {
                    throw new SyntaxError("quoted string in a From domain");
                }
                // obs-domain: atoms and dots with CFWS between them; words must meet at a dot.
                if (domain.length() > 0 && domain.charAt(domain.length() - 1) != '.' && !t.text.startsWith(".")) {
                    throw new SyntaxError("text after the domain in From");
                }
                domain.append(t.text);
            }
            return domain.toString();
        }
    }
}
