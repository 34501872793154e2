package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainNamesTest {

    @ParameterizedTest
    @CsvSource({
        "example.com, example.com",
        "Example.COM, example.com",
        "' example.com ', example.com",
        "'\texample.com\n', example.com",
        "example.com., example.com",
        "mail.example.co.uk, mail.example.co.uk",
        "bücher.example, xn--bcher-kva.example",
        "BÜCHER.EXAMPLE, xn--bcher-kva.example",
        "xn--bcher-kva.example, xn--bcher-kva.example",
        "例え.テスト, xn--r8jz45g.xn--zckzah",
        "a-b.example, a-b.example",
        "1.example, 1.example",
        "localhost, localhost",
        "123.example4, 123.example4",
    })
    void normalizesToLowerCaseALabelsWithoutTrailingDot(String input, String expected) {
        assertThat(DomainNames.normalize(input)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                ".",
                "..",
                "example..com",
                ".example.com",
                "example.com..",
                "-example.com",
                "example-.com",
                "exa_mple.com",
                "exa mple.com",
                "example.com/",
                "[192.0.2.1]",
                "192.0.2.1",
                "example.123",
                "a@example.com",
                "exam\nple.com",
                "exa\u0000mple.com",
                "*.example.com",
            })
    void refusesWhatIsNotAHostName(String input) {
        assertThat(DomainNames.normalize(input)).isEmpty();
    }

    @Test
    void nullIsEmpty() {
        assertThat(DomainNames.normalize(null)).isEmpty();
    }

    @Test
    void lengthLimits() {
        assertThat(DomainNames.normalize("x".repeat(63) + ".example")).isPresent();
        assertThat(DomainNames.normalize("x".repeat(64) + ".example")).isEmpty();
        String name253 = ("x".repeat(62) + ".").repeat(4) + "a"; // 4*63 + 1 = 253
        assertThat(name253).hasSize(253);
        assertThat(DomainNames.normalize(name253)).contains(name253);
        assertThat(DomainNames.normalize(name253 + ".")).contains(name253);
        assertThat(DomainNames.normalize("y" + name253)).isEmpty();
    }

    @Test
    void labelsLeftToRight() {
        assertThat(DomainNames.labels("a.mail.example.com")).containsExactly("a", "mail", "example", "com");
        assertThat(DomainNames.labels("example.com.")).containsExactly("example", "com");
        assertThat(DomainNames.labels("com")).containsExactly("com");
        assertThat(DomainNames.labels("")).isEmpty();
        assertThat(DomainNames.labels(null)).isEmpty();
        assertThat(DomainNames.labelCount("a.b.c.d.e.f.g.h.example.com")).isEqualTo(10);
    }

    @Test
    void parentDropsTheLeftMostLabel() {
        assertThat(DomainNames.parent("a.mail.example.com")).contains("mail.example.com");
        assertThat(DomainNames.parent("example.com")).contains("com");
        assertThat(DomainNames.parent("example.com.")).contains("com");
        assertThat(DomainNames.parent("com")).isEmpty();
        assertThat(DomainNames.parent("")).isEmpty();
        assertThat(DomainNames.parent(null)).isEmpty();
    }

    @Test
    void isValidHostNameWantsNormalisedText() {
        assertThat(DomainNames.isValidHostName("example.com")).isTrue();
        assertThat(DomainNames.isValidHostName("Example.com")).isFalse();
        assertThat(DomainNames.isValidHostName("example.com.")).isFalse();
        assertThat(DomainNames.isValidHostName(null)).isFalse();
        assertThat(List.of("a", "a1", "xn--zckzah")).allMatch(DomainNames::isValidHostName);
    }
}
