package org.dmarcreporter.local.failurereports;

import java.time.Duration;

/**
 * How long to wait before attempt {@code n + 1} after {@code n} attempts: {@code first},
 * doubling, at most {@code longest}; {@code maxAttempts} attempts in all.
 */
record Backoff(int maxAttempts, Duration first, Duration longest) {

    /** 8 attempts over about an hour (15 s, 30 s, 1 min, ... capped at 30 min): a relay down for a restart or an hour is ridden out. */
    static final Backoff CANDIDATES = new Backoff(8, Duration.ofSeconds(15), Duration.ofMinutes(30));

    /** Slot flushes are retried until the dispatcher stops asking (it drops held incidents past the longest hold). */
    static final Backoff FLUSHES = new Backoff(Integer.MAX_VALUE, Duration.ofSeconds(15), Duration.ofMinutes(10));

    Backoff {
        if (maxAttempts < 1 || first.isNegative() || longest.compareTo(first) < 0) {
            throw new IllegalArgumentException("bad back-off " + maxAttempts + ", " + first + ", " + longest);
        }
    }

    /** Seconds to wait after {@code attempts} attempts (at least 1). */
    long delaySeconds(int attempts) {
        long delay = first.toSeconds();
        for (int i = 1; i < attempts && delay < longest.toSeconds(); i++) {
            delay *= 2;
        }
        return Math.max(1, Math.min(delay, longest.toSeconds()));
    }
}
