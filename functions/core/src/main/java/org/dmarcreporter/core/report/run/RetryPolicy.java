package org.dmarcreporter.core.report.run;

import java.time.Duration;

/**
 * Bounded exponential back-off for recipients that failed temporarily: after attempt {@code n}
 * the next try is {@code first * 2^(n-1)} later (at most {@code longest}); after {@code maxAttempts}
 * failures the recipient is given up on.
 */
public record RetryPolicy(int maxAttempts, Duration first, Duration longest) {

    /** 5 attempts: 15 min, 30 min, 1 h, 2 h after the first, second, third and fourth failure. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMinutes(15), Duration.ofHours(6));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The state after a temporary failure at {@code now}, given the attempts made before it. */
    public DeliveryState afterFailure(String reason, int previousAttempts, long now) {
        int attempts = previousAttempts + 1;
        if (attempts >= maxAttempts) {
            return new DeliveryState.GivenUp(reason + " (gave up after " + attempts + " attempts)", attempts);
        }
        long delay = first.getSeconds() << Math.min(attempts - 1, 30);
        return new DeliveryState.Failed(reason, attempts, now + Math.min(delay, longest.getSeconds()));
    }
}
