package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.testing.RandomCases.forAll;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;

class AddressPropertiesTest {

    private static final String FROM_CHARS = "aZ09.@<>,;:\"()[]\\ \t\r\n-_=?!#$%&'*+/^`{|}~\u00e9\u4f8b";

    @Test
    void headerFromParserNeverThrows() {
        forAll(3000, AddressPropertiesTest::anyText, text -> {
            AuthorDomains result = HeaderFromParser.parse(text);
            assertThat(result).isNotNull().isNotSameAs(HeaderFromParser.UNREADABLE);
            if (result instanceof AuthorDomains.Single single) {
                assertThat(DomainNames.isValidHostName(single.domain()))
                        .as(single.domain())
                        .isTrue();
            } else if (result instanceof AuthorDomains.Multiple multiple) {
                assertThat(multiple.domains())
                        .hasSizeGreaterThan(1)
                        .allMatch(DomainNames::isValidHostName)
                        .doesNotHaveDuplicates();
            }
        });
    }

    @Test
    void envelopeAndDomainNamesNeverThrow() {
        forAll(3000, AddressPropertiesTest::anyText, text -> {
            assertThat(EnvelopeAddresses.parse(text)).isNotNull();
            assertThat(EnvelopeAddresses.domainOf(text)).isNotNull();
            DomainNames.normalize(text)
                    .ifPresent(d -> assertThat(DomainNames.isValidHostName(d)).isTrue());
            assertThat(DomainNames.labels(text)).isNotNull();
            assertThat(DomainNames.parent(text)).isNotNull();
        });
    }

    @Test
    void hugeInputsDoNotThrow() {
        forAll(10, AddressPropertiesTest::hugeText, text -> {
            assertThat(HeaderFromParser.parse(text)).isNotNull().isNotSameAs(HeaderFromParser.UNREADABLE);
            assertThat(EnvelopeAddresses.parse(text)).isNotNull();
            assertThat(DomainNames.normalize(text)).isNotNull();
        });
    }

    @Test
    void generatedMailboxesYieldTheirDomain() {
        forAll(
                2000,
                AddressPropertiesTest::mailbox,
                from -> assertThat(HeaderFromParser.parse(from.text))
                        .as(from.text)
                        .isEqualTo(new AuthorDomains.Single(from.domain)));
    }

    @Test
    void generatedMailboxListsInOneDomainYieldThatDomain() {
        forAll(
                1000,
                AddressPropertiesTest::mailboxList,
                from -> assertThat(HeaderFromParser.parse(from.text))
                        .as(from.text)
                        .isEqualTo(new AuthorDomains.Single(from.domain)));
    }

    @Test
    void generatedEnvelopeSendersYieldTheirDomain() {
        forAll(
                1000,
                AddressPropertiesTest::envelopeSender,
                sender -> assertThat(EnvelopeAddresses.domainOf(sender.text))
                        .as(sender.text)
                        .contains(sender.domain));
    }

    static String anyText(Random r) {
        return Text.<String>oneOf(
                        c -> Text.any(c, 200), c -> Text.of(c, FROM_CHARS, 120), c -> mutate(c, mailbox(c).text))
                .apply(r);
    }

    static String hugeText(Random r) {
        return Text.<String>oneOf(
                        c -> Text.any(c, 50_000, 200_000),
                        c -> "(".repeat(Text.between(c, 10_000, 100_000)),
                        c -> {
                            int n = Text.between(c, 10_000, 100_000);
                            return "(".repeat(n) + ")".repeat(n) + "a@example.com";
                        },
                        c -> "a@example.com, ".repeat(Text.between(c, 10_000, 50_000)),
                        c -> "G:".repeat(Text.between(c, 10_000, 100_000)),
                        c -> "<".repeat(Text.between(c, 10_000, 100_000)))
                .apply(r);
    }

    static Generated mailboxList(Random r) {
        Generated first = mailbox(r);
        List<String> parts = new ArrayList<>();
        parts.add(first.text);
        int more = 1 + r.nextInt(4);
        for (int i = 0; i < more; i++) {
            Generated next = mailboxIn(r, first.written);
            parts.add(r.nextInt(4) == 0 ? "Group" + i + ": " + next.text + ";" : next.text);
        }
        return new Generated(String.join(r.nextBoolean() ? ", " : ",", parts), first.domain, first.written);
    }

    static Generated envelopeSender(Random r) {
        String[] d = domain(r);
        String local = localPart(r);
        String text = switch (r.nextInt(4)) {
            case 0 -> local + "@" + d[0];
            case 1 -> "<" + local + "@" + d[0] + ">";
            case 2 -> d[0];
            default -> "<@relay.example:" + local + "@" + d[0] + ">";
        };
        return new Generated(text, d[1], d[0]);
    }

    record Generated(String text, String domain, String written) {
        @Override
        public String toString() {
            return text;
        }
    }

    static Generated mailbox(Random r) {
        String[] d = domain(r);
        return mailboxIn(r, d[0], d[1]);
    }

    /** Another mailbox in a domain already written once (any case, same normal form). */
    static Generated mailboxIn(Random r, String written) {
        String recased = r.nextBoolean() ? written.toUpperCase(java.util.Locale.ROOT) : written;
        return mailboxIn(r, recased, DomainNames.normalize(written).orElseThrow());
    }

    private static Generated mailboxIn(Random r, String written, String normal) {
        String addrSpec = localPart(r) + "@" + written + (r.nextInt(8) == 0 ? "." : "");
        String text = switch (r.nextInt(5)) {
            case 0 -> addrSpec;
            case 1 -> addrSpec + " " + comment(r);
            case 2 -> displayName(r) + " <" + addrSpec + ">";
            case 3 -> displayName(r) + " " + comment(r) + " <" + addrSpec + "> " + comment(r);
            default -> "<" + addrSpec + ">";
        };
        return new Generated(text, normal, written);
    }

    /** {written form, normal form}. */
    static String[] domain(Random r) {
        String[] tlds = {"example", "com", "co.uk", "test", "xn--zckzah"};
        StringBuilder b = new StringBuilder();
        int labels = 1 + r.nextInt(3);
        for (int i = 0; i < labels; i++) {
            b.append(label(r)).append('.');
        }
        b.append(tlds[r.nextInt(tlds.length)]);
        String normal = b.toString();
        String written = switch (r.nextInt(4)) {
            case 0 -> normal.toUpperCase(java.util.Locale.ROOT);
            case 1 -> "bücher." + normal;
            default -> normal;
        };
        return new String[] {written, DomainNames.normalize(written).orElseThrow()};
    }

    private static String label(Random r) {
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            b.append(chars.charAt(r.nextInt(i == 0 ? 26 : chars.length())));
        }
        if (n > 2 && r.nextInt(4) == 0) {
            b.setCharAt(1, '-');
        }
        return b.toString();
    }

    private static String localPart(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> "\"" + pick(r, "a,b", "x@y.example", "with space", "quote\\\"d", "<angle>", "semi;colon") + "\"";
            case 1 -> pick(r, "first.last", "user+tag", "o'brien", "x_y", "a!b#c$d%e&f*g/h=i?j^k`l{m|n}o~p");
            default -> label(r);
        };
    }

    private static String displayName(Random r) {
        return switch (r.nextInt(5)) {
            case 0 ->
                "\""
                        + pick(
                                r,
                                "Smith, John",
                                "a@evil.example",
                                "<b@evil.example>",
                                "Group: x;",
                                "(not a comment)",
                                "back\\\\slash",
                                "Jürgen")
                        + "\"";
            case 1 -> pick(r, "John Q. Public", "=?utf-8?q?J=C3=BCrgen?=", "Jürgen Groß", "a.b");
            case 2 -> "";
            default -> label(r) + " " + label(r);
        };
    }

    private static String comment(Random r) {
        return pick(
                r,
                "(comment)",
                "(nested (comment) here)",
                "(with <angle@evil.example>, comma)",
                "(escaped \\) paren)",
                "(\"quote\")");
    }

    private static String mutate(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, FROM_CHARS.charAt(r.nextInt(FROM_CHARS.length())));
                default -> b.setCharAt(at, (char) r.nextInt(0x3000));
            }
        }
        return b.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }
}
