package org.dmarcreporter.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class DnsNamesTest {

    @Test
    void canonicalTextIsLowerCaseWithoutTrailingDot() {
        assertThat(DnsNames.canonical("_DMARC.Example.COM.")).isEqualTo("_dmarc.example.com");
        assertThat(DnsNames.canonical(".")).isEmpty();
        assertThat(DnsNames.canonical("")).isEmpty();
    }

    @Test
    void alreadyCanonicalTextIsReturnedWithoutCopying() {
        String name = "_dmarc.mail.example.com";
        assertThat(DnsNames.canonical(name)).isSameAs(name);
    }

    @Test
    void invalidNamesHaveNoCanonicalText() {
        assertThat(DnsNames.canonical("a..b")).isNull();
        assertThat(DnsNames.canonical(".a")).isNull();
        assertThat(DnsNames.canonical("a" .repeat(64) + ".com")).isNull();
        assertThat(DnsNames.canonical(("a".repeat(63) + ".").repeat(4) + "com")).isNull();
    }

    @Test
    void unusualCharactersUseMasterFileEscapes() {
        assertThat(DnsNames.canonical("A B.example")).isEqualTo("a\\032b.example");
    }

    @Test
    void uLabelBecomesALabel() {
        assertThat(DnsNames.canonical("Bücher.example")).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void parentSkipsEscapedDots() {
        assertThat(ZoneData.parent("a\\.b.example")).isEqualTo("example");
        assertThat(ZoneData.parent("example")).isEmpty();
    }

    @Property
    void canonicalTextAgreesWithDnsjava(@ForAll("names") String name) throws Exception {
        String canonical = DnsNames.canonical(name);
        assertThat(canonical).isEqualTo(DnsNames.canonical(Name.fromString(name, Name.root)));
        assertThat(DnsNames.canonical(canonical)).isSameAs(canonical);
        assertThat(DnsNames.canonical(name.toUpperCase() + ".")).isEqualTo(canonical);
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcXYZ019-_").ofMinLength(1).ofMaxLength(20);
        return Combinators.combine(label, label, label.list().ofMaxSize(3))
                .as((a, b, more) -> String.join(".", a, b) + (more.isEmpty() ? "" : "." + String.join(".", more)));
    }
}
