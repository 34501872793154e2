package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.testing.RandomCases.forAll;

import java.util.Random;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;

/** The fast path for plain mailboxes must answer exactly as the full address-list parser does. */
class HeaderFromFastPathTest {

    private static final String MAILBOX_CHARS = "abcXYZ09.-_@<> \"(),;:!#%+'";

    @Test
    void agreesWithTheFullParserOnArbitraryText() {
        forAll(
                2000,
                r -> Text.any(r, 255),
                value -> assertThat(HeaderFromParser.parse(value)).isEqualTo(HeaderFromParser.parseFully(value)));
    }

    @Test
    void agreesWithTheFullParserOnMailboxLikeText() {
        forAll(
                2000,
                HeaderFromFastPathTest::mailboxLike,
                value -> assertThat(HeaderFromParser.parse(value)).isEqualTo(HeaderFromParser.parseFully(value)));
    }

    static String mailboxLike(Random r) {
        String name = Text.of(r, MAILBOX_CHARS, 12);
        String local = Text.of(r, MAILBOX_CHARS, 12);
        String domain = Text.pick(
                r,
                "example.com",
                "Mail.Example.ORG",
                "a..b",
                "-x.example",
                "example.com.",
                "b\u00fccher.example",
                "x_y.example",
                "",
                "123.45");
        return switch (Text.pick(r, "", " ", "<", ">")) {
            case "<" -> name + " <" + local + "@" + domain + ">";
            case ">" -> local + "@" + domain + ">";
            case " " -> " " + local + "@" + domain + " ";
            default -> local + "@" + domain;
        };
    }
}
