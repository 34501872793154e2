package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderFromParserTest {

    private static String single(String from) {
        AuthorDomains result = HeaderFromParser.parse(from);
        assertThat(result).as(from).isInstanceOf(AuthorDomains.Single.class);
        return ((AuthorDomains.Single) result).domain();
    }

    private static String invalid(String from) {
        AuthorDomains result = HeaderFromParser.parse(from);
        assertThat(result).as(from).isInstanceOf(AuthorDomains.Invalid.class);
        return ((AuthorDomains.Invalid) result).reason();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "alice@example.com                                        | example.com",
                "<alice@example.com>                                      | example.com",
                "Alice <alice@example.com>                                | example.com",
                "`\"Alice Smith\" <alice@example.com>`                    | example.com",
                "`\"Smith, Alice\" <alice@example.com>`                   | example.com",
                "`\"Alice <alice@evil.example>\" <alice@example.com>`     | example.com",
                "`\"a@evil.example\" <alice@example.com>`                 | example.com",
                "alice@example.com (Alice Smith)                          | example.com",
                "(comment (nested) here) alice@example.com                | example.com",
                "alice(c1)@(c2)example.com(c3)                            | example.com",
                "Alice (a <x@evil.example>) <alice@example.com>           | example.com",
                "`\"a,b\"@example.com`                                    | example.com",
                "`\"a@b\"@example.com`                                    | example.com",
                "`\"a\\\"b\"@example.com`                                 | example.com",
                "John Q. Public <jqp@example.com>                         | example.com",
                "<@relay.example:alice@example.com>                       | example.com",
                "Alice <@relay1.example,@relay2.example:alice@example.com> | example.com",
                "alice@mail.Example.COM                                   | mail.example.com",
                "alice@example.com.                                       | example.com",
                "alice @ example . com                                    | example.com",
                "alice@example(comment).com                               | example.com",
                "=?utf-8?q?J=C3=BCrgen?= <j@example.com>                  | example.com",
                "Jürgen <j@bücher.example>                                | xn--bcher-kva.example",
                "j@BÜCHER.example                                         | xn--bcher-kva.example",
                "j@xn--bcher-kva.example                                  | xn--bcher-kva.example",
                "@example.com                                             | example.com",
                "alice@localhost                                          | localhost",
            })
    void singleAddressGivesItsDomain(String from, String domain) {
        assertThat(single(from)).isEqualTo(domain);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice@example.com\r\n (folded comment)",
                "Alice\r\n <alice@example.com>",
                "Alice\t<alice@example.com>",
                "Group:\r\n\talice@example.com,\r\n (x) <bob@example.com>;",
            })
    void foldingWhitespaceIsWhitespace(String from) {
        assertThat(single(from)).isEqualTo("example.com");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "a@example.com, b@example.com                             | example.com",
                "`A <a@example.com>, \"B, b\" <b@EXAMPLE.com.>`           | example.com",
                "Undisclosed: a@example.com, b@example.com;               | example.com",
                "Team: a@example.com, <b@example.com>;, c@example.com     | example.com",
                "Team: a@example.com                                      | example.com",
                "Empty:;, a@example.com                                   | example.com",
                "a@example.com,, ,b@example.com                           | example.com",
                "a@example.com; b@example.com                             | example.com",
                "a@example.com;                                           | example.com",
                "Doe, John <john@example.com>                             | example.com",
                "alice@evil.example <alice@example.com>                   | example.com",
            })
    void severalAddressesInOneDomainGiveThatDomain(String from, String domain) {
        assertThat(single(from)).isEqualTo(domain);
    }

    @Test
    void severalDomainsAreListedInOrderOfFirstAppearance() {
        AuthorDomains result =
                HeaderFromParser.parse("a@one.example, \"B\" <b@Two.example>, c@one.example, Group: d@three.example;");
        assertThat(result)
                .isEqualTo(new AuthorDomains.Multiple(List.of("one.example", "two.example", "three.example")));
    }

    @Test
    void subdomainsAreDistinctDomains() {
        assertThat(HeaderFromParser.parse("a@example.com, b@mail.example.com"))
                .isEqualTo(new AuthorDomains.Multiple(List.of("example.com", "mail.example.com")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "alice",
                "Alice Smith",
                "undisclosed-recipients:;",
                "Group: ;",
                "<>",
                "Alice <>",
                "alice@",
                "Alice <alice@>",
                "alice@[192.0.2.1]",
                "Alice <alice@[IPv6:2001:db8::1]>",
                "alice@example..com",
                "alice@-example.com",
                "alice@example-.com",
                "alice@exa_mple.com",
                "alice@192.0.2.1",
                "alice@exa mple.com",
                "alice@example.com junk",
                "alice@@example.com",
                "alice@b@example.com",
                "\"unterminated@example.com",
                "Alice <alice@example.com",
                "Alice alice@example.com>",
                "(unterminated alice@example.com",
                "alice@example.com)",
                "<a@example.com> <b@example.com>",
                "Alice <a@example.com> trailing",
                "Outer: Inner: a@example.com;;",
                "a@example.com, bad@bad..example",
                "alice@\"example.com\"",
                "[alice]@example.com",
                "alice@example.com: x",
            })
    void unusableFromIsInvalidWithAReason(String from) {
        assertThat(invalid(from)).isNotBlank();
    }

    @Test
    void nullIsInvalid() {
        assertThat(invalid(null)).isEqualTo("empty From");
    }

    @Test
    void overlongLabelIsInvalid() {
        assertThat(invalid("a@" + "x".repeat(64) + ".example")).contains("invalid domain");
        assertThat(single("a@" + "x".repeat(63) + ".example")).isEqualTo("x".repeat(63) + ".example");
    }

    @Test
    void overlongNameIsInvalid() {
        String label = "x".repeat(49) + ".";
        String name253 = label.repeat(5).substring(0, 250) + "com"; // 253 characters
        assertThat(name253).hasSize(253);
        assertThat(single("a@" + name253)).isEqualTo(name253);
        assertThat(invalid("a@x" + name253)).contains("invalid domain");
    }
}
