package org.dmarcreporter.core.testing;

import java.util.Random;
import java.util.function.Function;

/** Generators of text for {@link RandomCases}: lengths lean short, characters lean towards the interesting. */
public final class Text {

    /** Characters parsers tend to trip on: controls, odd spaces, lone surrogates, non-characters. */
    private static final String AWKWARD = " \t\r\n\u0000\u000b\u000c\u001f\u007f\u0085\u00a0\u2028\u2029\u3000"
            + "\ufeff\ufffd\uffff\ud800\udbff\udc00\udfff";

    private Text() {}

    /** Any UTF-16 text (every char value, lone surrogates included) of 0 to {@code maxLength} chars. */
    public static String any(Random r, int maxLength) {
        int length = length(r, 0, maxLength);
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            int kind = r.nextInt(10);
            if (kind < 4) {
                b.append((char) r.nextInt(0x80));
            } else if (kind == 4) {
                b.append(AWKWARD.charAt(r.nextInt(AWKWARD.length())));
            } else if (kind == 5 && b.length() + 2 <= length) {
                b.appendCodePoint(0x10000 + r.nextInt(0x100000)); // a well-formed surrogate pair
            } else {
                b.append((char) r.nextInt(0x10000));
            }
        }
        return b.toString();
    }

    /** Any text of {@code minLength} to {@code maxLength} chars (for large inputs, evenly spread). */
    public static String any(Random r, int minLength, int maxLength) {
        int length = minLength + r.nextInt(maxLength - minLength + 1);
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            b.append((char) r.nextInt(0x10000));
        }
        return b.toString();
    }

    /** Printable and control ASCII (0 to 127) of 0 to {@code maxLength} chars. */
    public static String ascii(Random r, int maxLength) {
        return of(r, 0, maxLength, c -> (char) c.nextInt(0x80));
    }

    /** Text from {@code alphabet} of 0 to {@code maxLength} chars. */
    public static String of(Random r, String alphabet, int maxLength) {
        return of(r, alphabet, 0, maxLength);
    }

    /** Text from {@code alphabet} of {@code minLength} to {@code maxLength} chars. */
    public static String of(Random r, String alphabet, int minLength, int maxLength) {
        return of(r, minLength, maxLength, c -> alphabet.charAt(c.nextInt(alphabet.length())));
    }

    private static String of(Random r, int minLength, int maxLength, Function<Random, Character> chars) {
        int length = length(r, minLength, maxLength);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(chars.apply(r));
        }
        return b.toString();
    }

    /** One in four lengths is at most 8 over the minimum, so empty and tiny inputs come up often. */
    private static int length(Random r, int min, int max) {
        int span = max - min;
        return min + (r.nextInt(4) == 0 ? r.nextInt(Math.min(span, 8) + 1) : r.nextInt(span + 1));
    }

    /** {@code min} to {@code max}, both included. */
    public static int between(Random r, int min, int max) {
        return min + r.nextInt(max - min + 1);
    }

    @SafeVarargs
    public static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** A generator that draws from one of {@code generators}, each equally often. */
    @SafeVarargs
    public static <T> Function<Random, T> oneOf(Function<Random, ? extends T>... generators) {
        return r -> generators[r.nextInt(generators.length)].apply(r);
    }
}
