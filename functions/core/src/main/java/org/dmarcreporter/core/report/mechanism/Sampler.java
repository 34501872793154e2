package org.dmarcreporter.core.report.mechanism;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Decides whether one failure falls in the {@code rp} percent a domain asked reports for
 * (RFC 6651 §4 {@code rp=}, RFC 6652 §3 {@code rp=}).
 */
@FunctionalInterface
public interface Sampler {

    /**
     * @param key     names the failure and the destination (the same key is the same decision for {@link #byKey()})
     * @param percent 0 to 100
     */
    boolean sample(String key, int percent);

    /**
     * The default: the decision is a hash of the key, so a retried candidate decides the same
     * way and a report sampled out once is never sent by a retry (nor the other way round).
     * Over many keys it reports {@code percent} of them.
     */
    static Sampler byKey() {
        return (key, percent) -> {
            if (percent >= 100) {
                return true;
            }
            if (percent <= 0) {
                return false;
            }
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
                int bucket = (int)
                        ((((d[0] & 0xffL) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff)) % 100);
                return bucket < percent;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        };
    }

    /** Draws from {@code random} (tests inject a seeded one). */
    static Sampler from(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return (key, percent) -> percent >= 100 || percent > 0 && random.nextInt(100) < percent;
    }
}
