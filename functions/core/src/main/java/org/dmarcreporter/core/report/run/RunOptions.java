package org.dmarcreporter.core.report.run;

import java.time.Duration;
import org.dmarcreporter.core.window.WindowTiming;

/**
 * How a run behaves beyond the reporting settings.
 *
 * @param fromAddress     the From header of report mail (an address in the {@code orgName} domain)
 * @param settle          how long after a window's end it may be read ({@code docs/reporting-windows.md};
 *                        30 s, or zero for a store that closes windows under its own lock)
 * @param retry           back-off for recipients that failed temporarily
 * @param pageSize        page size for the window index and for rows
 * @param maxMessageBytes reports whose message would be larger are skipped ({@link #SES_MAX_MESSAGE} by default)
 * @param generator       RFC 9990 {@code generator}
 * @param concurrency     windows processed at once
 */
public record RunOptions(
        String fromAddress,
        Duration settle,
        RetryPolicy retry,
        int pageSize,
        long maxMessageBytes,
        String generator,
        int concurrency) {

    /** {@link WindowTiming#SETTLE}: 30 s. */
    public static final Duration SETTLE = WindowTiming.SETTLE;

    /**
     * SES v2's (and SES SMTP's) limit for one message, attachments included, after base64: 40 MB,
     * not adjustable (SES developer guide, "Service quotas", message quotas; v1's was 10 MB).
     * Counted as 40,000,000 bytes, the stricter reading, as {@code SesTransport} does; so a day of
     * 1,000,000 rows for one domain (about 13 MB of gzip, 17.5 MB as mail) is delivered.
     */
    public static final long SES_MAX_MESSAGE = 40_000_000L;

    public RunOptions {
        if (pageSize < 1 || pageSize > ReportLedger.MAX_PAGE) {
            throw new IllegalArgumentException("pageSize must be 1 to " + ReportLedger.MAX_PAGE);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }

    /** From {@code noreply@<orgName>}, 30 s settle, default retries, pages of 500, SES's size limit, one at a time. */
    public static RunOptions defaults(String orgName) {
        return new RunOptions(
                "noreply@" + orgName, SETTLE, RetryPolicy.DEFAULT, 500, SES_MAX_MESSAGE, "dmarc-reporter", 1);
    }

    /**
     * {@code generator} as the product name and {@code version} (RFC 9990 §3.1.1.3 asks for name
     * and version); {@code dev} when the runtime has no version (a build without a manifest).
     */
    public RunOptions withGeneratorVersion(String version) {
        String v = version == null || version.isBlank() ? "dev" : version.strip();
        return new RunOptions(
                fromAddress, settle, retry, pageSize, maxMessageBytes, "dmarc-reporter " + v, concurrency);
    }

    public RunOptions withSettle(Duration value) {
        return new RunOptions(fromAddress, value, retry, pageSize, maxMessageBytes, generator, concurrency);
    }

    public RunOptions withMaxMessageBytes(long value) {
        return new RunOptions(fromAddress, settle, retry, pageSize, value, generator, concurrency);
    }

    public RunOptions withConcurrency(int value) {
        return new RunOptions(fromAddress, settle, retry, pageSize, maxMessageBytes, generator, value);
    }

    public RunOptions withPageSize(int value) {
        return new RunOptions(fromAddress, settle, retry, value, maxMessageBytes, generator, concurrency);
    }
}
