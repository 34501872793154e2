package org.dmarcreporter.core.report.arf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.dmarcreporter.core.testing.RandomCases;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;

class LocalPartRedactorTest {

    private final LocalPartRedactor redactor = LocalPartRedactor.withSecret(bytes("0123456789abcdef-secret"));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameLocalPartAlwaysGivesTheSameToken() {
        assertThat(redactor.token("alice"))
                .matches("[a-z2-7]{16}")
                .isEqualTo(LocalPartRedactor.withSecret(bytes("0123456789abcdef-secret"))
                        .token("alice"))
                .isNotEqualTo(redactor.token("bob"))
                .isNotEqualTo(LocalPartRedactor.withSecret(bytes("another secret, 16+"))
                        .token("alice"));
    }

    @Test
    void addressesInTextKeepTheirDomainsAndTags() {
        String a = redactor.token("alice");
        assertThat(redactor.redact(
                        "Alice <alice@example.com>, alice@example.org; i=alice@d.example; \"a b\"@q.example"))
                .isEqualTo("Alice <" + a + "@example.com>, " + a + "@example.org; i=" + a + "@d.example; "
                        + redactor.token("\"a b\"") + "@q.example");
        assertThat(redactor.redact("i=@example.com; no address here; a@ b"))
                .isEqualTo("i=@example.com; no address here; a@ b");
    }

    @Test
    void shortSecretsAreRefused() {
        assertThatThrownBy(() -> LocalPartRedactor.withSecret(bytes("short")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalPartRedactor.withSecret(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noTextKeepsALocalPartBeforeAnAt() {
        RandomCases.forAll(
                1_000,
                r -> Text.oneOf(x -> Text.any(x, 200), x -> Text.of(x, "ab.@<> \"=,x", 80))
                        .apply(r),
                text -> {
                    String out = redactor.redact(text);
                    if (text.indexOf('"') >= 0) {
                        return; // quoted local parts may hold an '@' of their own, and quotes re-pair on a second pass
                    }
                    assertThat(out.chars().filter(c -> c == '@').count())
                            .isEqualTo(text.chars().filter(c -> c == '@').count());
                    // Redacting twice only swaps tokens for tokens: every local part is a token after one pass.
                    assertThat(redactor.redact(out)).hasSameSizeAs(out);
                });
    }
}
