package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The fast path for plain mailboxes must answer exactly as the full address-list parser does. */
class HeaderFromFastPathTest {

    @Property(tries = 2000)
    void agreesWithTheFullParserOnArbitraryText(@ForAll String value) {
        assertThat(HeaderFromParser.parse(value)).isEqualTo(HeaderFromParser.parseFully(value));
    }

    @Property(tries = 2000)
    void agreesWithTheFullParserOnMailboxLikeText(@ForAll("mailboxLike") String value) {
        assertThat(HeaderFromParser.parse(value)).isEqualTo(HeaderFromParser.parseFully(value));
    }

    @Provide
    Arbitrary<String> mailboxLike() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("abcXYZ09.-_@<> \"(),;:!#%+'").ofMaxLength(12);
        Arbitrary<String> domains = Arbitraries.of("example.com", "Mail.Example.ORG", "a..b", "-x.example",
                "example.com.", "b\u00fccher.example", "x_y.example", "", "123.45");
        return Combinators.combine(chars, chars, domains, Arbitraries.of("", " ", "<", ">"))
                .as((name, local, domain, wrap) -> switch (wrap) {
                    case "<" -> name + " <" + local + "@" + domain + ">";
                    case ">" -> local + "@" + domain + ">";
                    default -> wrap + local + "@" + domain + wrap;
                });
    }
}
