package org.dmarcreporter.core.testing;

import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Property tests in plain JUnit: run a property against generated cases, each from its own
 * {@link Random} derived from one fixed seed, so every run checks the same cases and a failure
 * can be replayed exactly. A failure names the seed, the case and the input.
 *
 * <p>System properties (Maven passes {@code -D} options through to the tests):
 * <ul>
 *   <li>{@code property.seed}: a number, or {@code random} for a fresh seed (printed when a case
 *       fails); default {@value #DEFAULT_SEED}.</li>
 *   <li>{@code property.tries}: a factor on every property's number of cases (e.g. {@code 20} for a
 *       long search before a release; default 1).</li>
 * </ul>
 */
public final class RandomCases {

    public static final long DEFAULT_SEED = 20_261_201L;

    private static final int SHOWN_CHARS = 160;

    private RandomCases() {}

    /** The seed this run uses: {@code property.seed}, or the fixed default. */
    public static long seed() {
        String value = System.getProperty("property.seed", "").trim();
        if (value.isEmpty()) {
            return DEFAULT_SEED;
        }
        if (value.equals("random")) {
            return RandomHolder.RANDOM_SEED;
        }
        return Long.parseLong(value);
    }

    /** {@code tries} times the {@code property.tries} factor. */
    public static int tries(int tries) {
        String value = System.getProperty("property.tries", "").trim();
        int factor = value.isEmpty() ? 1 : Integer.parseInt(value);
        if (factor < 1) {
            throw new IllegalArgumentException("property.tries must be at least 1: " + value);
        }
        return Math.multiplyExact(tries, factor);
    }

    /**
     * Checks {@code property} on {@code tries} inputs drawn by {@code generator}. The property
     * fails by throwing (an AssertJ assertion, or an exception from the code under test).
     */
    public static <T> void forAll(int tries, Function<Random, T> generator, Consumer<? super T> property) {
        long seed = seed();
        int total = tries(tries);
        for (int i = 0; i < total; i++) {
            T input = generator.apply(caseRandom(seed, i));
            try {
                property.accept(input);
            } catch (Throwable failure) {
                throw new AssertionError(
                        "property failed on case " + i + " of " + total + " (seed " + seed
                                + "; replay with -Dproperty.seed=" + seed + "), input " + show(input)
                                + ": " + failure.getMessage(),
                        failure);
            }
        }
    }

    /** Each case has its own stream, so a change in one generator leaves the other cases alone. */
    private static Random caseRandom(long seed, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1L); // splitmix64 step
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    /** The input's text as a Java literal (escapes outside printable ASCII), shortened. */
    static String show(Object input) {
        String text = String.valueOf(input);
        StringBuilder b = new StringBuilder("\"");
        int shown = Math.min(text.length(), SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        b.append(c);
                    } else {
                        b.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        b.append('"');
        if (text.length() > shown) {
            b.append("... (").append(text.length()).append(" chars)");
        }
        return b.toString();
    }

    private static final class RandomHolder {
        static final long RANDOM_SEED = new Random().nextLong();
    }
}
