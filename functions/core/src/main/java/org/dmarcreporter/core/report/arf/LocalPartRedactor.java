package org.dmarcreporter.core.report.arf;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces the local part of every address in a text by a keyed hash of it, in the spirit of
 * RFC 6590 (redaction of potentially sensitive data in ARF reports) and RFC 9991 §7.3: the same
 * local part always gives the same token, so a report reader can still tell that two reports are
 * about one mailbox, but cannot learn which one without the secret. The token is the first 80
 * bits of HMAC-SHA256(secret, local part) in lower-case base32: 16 characters of
 * {@code [a-z2-7]}, a valid dot-atom. Domains stay, since they are what DMARC reports are about.
 * Thread-safe.
 */
public final class LocalPartRedactor {

    /** At least this many bytes of secret (the length of the HMAC-SHA256 output). */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String ALGORITHM = "HmacSHA256";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /**
     * A local part (a quoted string, or characters that are not specials, space or {@code =})
     * directly before {@code @} and a domain character. {@code =} is left out so that tag=value
     * text (a DKIM-Signature's {@code i=user@d}) keeps its tag; SRS and BATV addresses then keep
     * their routing prefix but lose the original local part.
     */
    private static final Pattern ADDRESS = Pattern.compile(
            "(\"(?:[^\"\\\\\\r\\n]|\\\\.){0,256}\"|[^\\s\"(),:;<>@\\[\\]\\\\=]{1,256})@(?=[A-Za-z0-9\\[\\u0080-\\uffff])");

    private final SecretKeySpec key;
    /** Mac.getInstance costs more than the hash itself: one initialised Mac per thread. */
    private final ThreadLocal<Mac> macs;

    private LocalPartRedactor(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac hmac = Mac.getInstance(ALGORITHM);
            hmac.init(key);
            return hmac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * @param secret at least {@value #MIN_SECRET_BYTES} bytes; keep it stable, or tokens change
     * @throws IllegalArgumentException when the secret is too short
     */
    public static LocalPartRedactor withSecret(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the redaction secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new LocalPartRedactor(secret.clone());
    }

    /** The token for one local part. */
    public String token(String localPart) {
        byte[] mac = macs.get().doFinal(localPart.getBytes(StandardCharsets.UTF_8)); // doFinal resets the Mac
        // 10 bytes = 80 bits = 16 base32 characters, no padding.
        StringBuilder b = new StringBuilder(16);
        long high = 0;
        for (int i = 0; i < 5; i++) {
            high = (high << 8) | (mac[i] & 0xff);
        }
        long low = 0;
        for (int i = 5; i < 10; i++) {
            low = (low << 8) | (mac[i] & 0xff);
        }
        for (long chunk : new long[] {high, low}) {
            for (int shift = 35; shift >= 0; shift -= 5) {
                b.append(BASE32[(int) ((chunk >>> shift) & 31)]);
            }
        }
        return b.toString();
    }

    /** {@code text} with the local part of each address replaced by its token. */
    public String redact(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        Matcher m = ADDRESS.matcher(text);
        StringBuilder b = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(b, token(m.group(1)) + "@");
        }
        m.appendTail(b);
        return b.toString();
    }
}
