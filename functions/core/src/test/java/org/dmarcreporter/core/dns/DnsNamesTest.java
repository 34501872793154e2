package org.dmarcreporter.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.testing.RandomCases.forAll;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

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
        assertThat(DnsNames.canonical("a".repeat(64) + ".com")).isNull();
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

    @Test
    void canonicalTextAgreesWithDnsjava() {
        forAll(1000, DnsNamesTest::name, name -> {
            String canonical = DnsNames.canonical(name);
            try {
                assertThat(canonical).isEqualTo(DnsNames.canonical(Name.fromString(name, Name.root)));
            } catch (TextParseException e) {
                throw new AssertionError(e);
            }
            assertThat(DnsNames.canonical(canonical)).isSameAs(canonical);
            assertThat(DnsNames.canonical(name.toUpperCase() + ".")).isEqualTo(canonical);
        });
    }

    static String name(Random r) {
        List<String> labels = new ArrayList<>(List.of(label(r), label(r)));
        int more = r.nextInt(4);
        for (int i = 0; i < more; i++) {
            labels.add(label(r));
        }
        return String.join(".", labels);
    }

    private static String label(Random r) {
        return Text.of(r, "abcXYZ019-_", 1, 20);
    }
}
