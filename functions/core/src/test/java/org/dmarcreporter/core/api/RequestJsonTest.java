package org.dmarcreporter.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestJsonTest {

    private static RequestJson.Parsed parse(String body) {
        return RequestJson.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static FieldError error(String body) {
        RequestJson.Parsed parsed = parse(body);
        assertThat(parsed).isInstanceOf(RequestJson.Parsed.Invalid.class);
        return ((RequestJson.Parsed.Invalid) parsed).error();
    }

    static Stream<Arguments> duplicates() {
        return Stream.of(
                Arguments.of(
                        "{\"headerFrom\": \"a@example.com\", \"sourceIp\": \"192.0.2.1\", \"headerFrom\": \"b@example.org\"}",
                        null,
                        "headerFrom",
                        "/headerFrom"),
                Arguments.of(
                        "[{\"sourceIp\": \"192.0.2.1\"}, {\"spf\": {\"result\": \"pass\", \"result\": \"fail\"}}]",
                        1,
                        "spf.result",
                        "/1/spf/result"),
                Arguments.of(
                        "[{\"dkim\": [{\"domain\": \"a.example\"}, {\"domain\": \"a.example\", \"domain\": \"b.example\"}]}]",
                        0,
                        "dkim[1].domain",
                        "/0/dkim/1/domain"),
                Arguments.of(
                        "{\"unknown\": {\"x\": [1, {\"y\": 1, \"y\": 2}]}}", null, "unknown.x[1].y", "/unknown/x/1/y"),
                Arguments.of("{\"spf\": {\"result\": \"pass\"}, \"spf\": {\"result\": \"fail\"}}", null, "spf", "/spf"),
                Arguments.of("[{}, [{\"a\": 1, \"a\": 2}]]", 1, "body", "/1"));
    }

    @ParameterizedTest
    @MethodSource("duplicates")
    void aRepeatedKeyIsRefusedNamingItsFieldIndexAndPointer(String body, Integer index, String field, String pointer) {
        FieldError e = error(body);

        assertThat(e.index()).isEqualTo(index);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.pointer()).isEqualTo(pointer);
        assertThat(e.message()).contains("more than once");
    }

    @Test
    void theSameKeyInDifferentObjectsIsNoDuplicate() {
        assertThat(parse("[{\"a\": {\"a\": 1}}, {\"a\": [{\"a\": 2}, {\"a\": 3}]}]"))
                .isInstanceOf(RequestJson.Parsed.Tree.class);
    }

    @Test
    void aVeryLongRepeatedKeyIsNamedAbbreviated() {
        String key = "k".repeat(10_000);

        FieldError e = error("{\"" + key + "\": 1, \"" + key + "\": 2}");

        assertThat(e.field()).hasSize(64).endsWith("...");
    }

    static Stream<Arguments> overLimits() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        return Stream.of(
                Arguments.of("nested 10,000 deep", deep),
                Arguments.of("nested objects", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)),
                Arguments.of("nested in an unknown field", "{\"sourceIp\": \"192.0.2.1\", \"x\": " + deep + "}"),
                Arguments.of("5,000-digit integer", "{\"sourcePort\": " + "9".repeat(5_000) + "}"),
                Arguments.of("5,000-digit fraction", "{\"x\": 0." + "1".repeat(5_000) + "}"),
                Arguments.of("60,000-character key", "{\"" + "k".repeat(60_000) + "\": 1}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overLimits")
    void aBodyOverTheParsersLimitsIsRefusedAsBody(String name, String body) {
        FieldError e = error(body);

        assertThat(e.field()).isEqualTo("body");
        assertThat(e.index()).isNull();
        assertThat(e.message()).startsWith("exceeds the parser's limits: at most 1000 levels of nesting");
    }

    @Test
    void nestingUpToTheLimitIsParsed() {
        assertThat(parse("[".repeat(1000) + "]".repeat(1000))).isInstanceOf(RequestJson.Parsed.Tree.class);
        assertThat(parse("[".repeat(1001) + "]".repeat(1001))).isInstanceOf(RequestJson.Parsed.Invalid.class);
    }

    @Test
    void brokenJsonIsNamedWithItsPosition() {
        assertThat(error("{\"a\":\n  tru}").message()).isEqualTo("is not valid JSON (line 2, column 3)");
        assertThat(error("").message()).isEqualTo("is empty");
        assertThat(error("{} {}").field()).isEqualTo("body");
    }

    /** Whatever the bytes, the answer is a tree or an error: never an exception. */
    @Test
    void neverThrowsOnRandomBytesOrMutatedJson() {
        Random random = new Random(20261201);
        byte[] seed = "[{\"sourceIp\": \"192.0.2.1\", \"dkim\": [{\"d\": 1.5e3}], \"x\": [null, true, \"\\u00e9\"]}]"
                .getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "[]{}\":,0123456789.eE+-\\u tfn\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 20_000; i++) {
            byte[] body;
            if (i % 2 == 0) {
                body = seed.clone();
                for (int m = random.nextInt(4); m >= 0; m--) {
                    body[random.nextInt(body.length)] = alphabet[random.nextInt(alphabet.length)];
                }
            } else {
                body = new byte[random.nextInt(64)];
                for (int j = 0; j < body.length; j++) {
                    body[j] =
                            random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt();
                }
            }
            RequestJson.Parsed parsed = RequestJson.parse(body);
            if (parsed instanceof RequestJson.Parsed.Invalid invalid) {
                assertThat(invalid.error().field()).isNotEmpty();
            }
        }
    }
}
