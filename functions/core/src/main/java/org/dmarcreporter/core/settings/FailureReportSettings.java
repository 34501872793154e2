package org.dmarcreporter.core.settings;

import java.nio.charset.StandardCharsets;

/**
 * The failure-report settings ({@code docs/settings.md}, {@code docs/failure-reports.md}): privacy
 * of what a report quotes, rate limits and the merge window. Read by {@link SettingsReader} with
 * the other settings; only the senders of failure reports (the failure function, the local
 * sender) call {@link #redactionSecretBytes()}, so ingest starts without the secret.
 *
 * @param redaction             {@code failureReportRedaction}: hash local parts (RFC 9991 §7.3)
 * @param redactionSecret       {@code failureReportRedactionSecret}: the HMAC key, or null when not set
 * @param headers               {@code failureReportHeaders}
 * @param perDestinationPerHour {@code failureReportsPerDestinationPerHour}: reports per recipient
 *                              address and clock hour; 0 = no limit
 * @param perMinute             {@code failureReportsPerMinute}: reports overall per clock minute; 0 = no limit
 * @param mergeSeconds          {@code failureReportMergeSeconds}: like incidents within this many
 *                              seconds of a report go out as one merged report; 0 = no merging
 */
public record FailureReportSettings(
        boolean redaction,
        String redactionSecret,
        Headers headers,
        int perDestinationPerHour,
        int perMinute,
        int mergeSeconds) {

    /** The smallest secret, in UTF-8 bytes (HMAC-SHA256 keys shorter than this are guessable). */
    public static final int MIN_SECRET_BYTES = 16;
    /** The longest merge window: one SQS delay (15 minutes) covers it. */
    public static final int MAX_MERGE_SECONDS = 900;

    public static final int DEFAULT_PER_DESTINATION_PER_HOUR = 100;
    public static final int DEFAULT_PER_MINUTE = 1_000;
    public static final int DEFAULT_MERGE_SECONDS = 10;

    /** The defaults, with redaction on and no secret (for tests and tools that set the rest). */
    public static final FailureReportSettings DEFAULTS = new FailureReportSettings(
            true, null, Headers.ALL, DEFAULT_PER_DESTINATION_PER_HOUR, DEFAULT_PER_MINUTE, DEFAULT_MERGE_SECONDS);

    public FailureReportSettings {
        if (headers == null) {
            headers = Headers.ALL;
        }
        if (redactionSecret != null && redactionSecret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new SettingsReader.InvalidSettingException(
                    "failureReportRedactionSecret", "must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        if (perDestinationPerHour < 0) {
            throw new SettingsReader.InvalidSettingException(
                    "failureReportsPerDestinationPerHour", "must be 0 or more");
        }
        if (perMinute < 0) {
            throw new SettingsReader.InvalidSettingException("failureReportsPerMinute", "must be 0 or more");
        }
        if (mergeSeconds < 0 || mergeSeconds > MAX_MERGE_SECONDS) {
            throw new SettingsReader.InvalidSettingException(
                    "failureReportMergeSeconds", "must be 0 to " + MAX_MERGE_SECONDS + " seconds");
        }
    }

    /**
     * The HMAC key when redaction is on, null when it is off.
     *
     * @throws SettingsReader.InvalidSettingException naming {@code failureReportRedactionSecret}
     *     when redaction is on and no secret is set
     */
    public byte[] redactionSecretBytes() {
        if (!redaction) {
            return null;
        }
        if (redactionSecret == null) {
            throw new SettingsReader.InvalidSettingException(
                    "failureReportRedactionSecret",
                    "is required while failureReportRedaction is true: at least " + MIN_SECRET_BYTES
                            + " bytes of secret text (or set failureReportRedaction to false)");
        }
        return redactionSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** The same settings with another secret (tests, and runtimes that fetch it from a secret store). */
    public FailureReportSettings withRedactionSecret(String secret) {
        return new FailureReportSettings(redaction, secret, headers, perDestinationPerHour, perMinute, mergeSeconds);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "FailureReportSettings[redaction=" + redaction + ", redactionSecret="
                + (redactionSecret == null ? "unset" : "***") + ", headers=" + headers + ", perDestinationPerHour="
                + perDestinationPerHour + ", perMinute=" + perMinute + ", mergeSeconds=" + mergeSeconds + "]";
    }

    /** {@code failureReportHeaders}: which header fields of the original a report quotes. */
    public enum Headers {
        /** Every header field (never the body). */
        ALL,
        /** The fields that identify the source: From, Date, Subject, Message-ID, Received, ... */
        ESSENTIAL
    }
}
