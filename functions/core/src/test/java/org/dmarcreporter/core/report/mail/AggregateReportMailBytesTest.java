package org.dmarcreporter.core.report.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * compose() skips Angus's slow paths (MailDateFormat, header parsing in saveChanges, the content
 * handler lookup) only where the result is the same: every message here must equal, byte for
 * byte, what the plain Jakarta Mail calls of {@link OracleAggregateReportMail} write. The MIME
 * boundary alone is random; it is replaced in both, together with where its header is folded.
 */
class AggregateReportMailBytesTest {

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"([^\"]+)\"");

    static Stream<Arguments> inputs() {
        String longLabel = "a".repeat(63);
        String longDomain = longLabel + "." + longLabel + "." + longLabel + ".example";
        return Stream.of(
                Arguments.of(
                        "reporter.example", "example.com", List.of("dmarc@example.com"), 2_000, "2026-12-02T00:00:05Z"),
                Arguments.of(
                        "Reporter.Example",
                        "mail.example.org",
                        List.of("dmarc@example.org", "copy@reporter.example", "third+tag@sub.example.net"),
                        40_000,
                        "2026-01-09T23:59:59.250Z"),
                Arguments.of("r.example", "x.io", List.of("a@x.io"), 1, "1999-12-31T23:00:00Z"),
                // A file name over 60 characters (written whole, never split) and long folded headers.
                Arguments.of(
                        "reporter.example", longDomain, List.of("dmarc@" + longDomain), 300, "2026-06-15T12:30:00Z"),
                Arguments.of(longDomain, "under_score.example", List.of("d@example.com"), 0, "2026-03-29T01:30:00Z"));
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void composesTheBytesPlainJakartaMailWrites(
            String org, String domain, List<String> to, int gzipLength, String date) {
        ReportNames names = ReportNames.aggregate(org, domain, 1764547200L, 1764633599L);
        byte[] gzip = new byte[gzipLength];
        new Random(gzipLength).nextBytes(gzip);
        Instant at = Instant.parse(date);
        for (int i = 0; i < 2; i++) { // the second time from the cached Date header
            String from =
                    "noreply@" + names.reportId().substring(names.reportId().indexOf('@') + 1);
            String fast = message(AggregateReportMail.compose(
                    from, "bounces@reporter.example", to, names, domain, 1764547200L, 1764633599L, gzip, at));
            String plain = message(OracleAggregateReportMail.compose(
                    from, "bounces@reporter.example", to, names, domain, 1764547200L, 1764633599L, gzip, at));
            assertThat(normalized(fast)).isEqualTo(normalized(plain));
        }
    }

    /** MimeMessage's MailDateFormat keeps the time zone it was made in; so does the cached one. */
    @ParameterizedTest
    @MethodSource("inputs")
    void aDefaultTimeZoneSetLaterChangesTheDateHeaderOfNeither(
            String org, String domain, List<String> to, int gzipLength, String date) {
        TimeZone saved = TimeZone.getDefault();
        try {
            for (String zone : List.of("Europe/Berlin", "America/St_Johns", "UTC")) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                composesTheBytesPlainJakartaMailWrites(org, domain, to, gzipLength, date);
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    private static String message(OutgoingMail mail) {
        return new String(mail.message(), StandardCharsets.US_ASCII);
    }

    /** The boundary replaced by a fixed one; its parameter unfolded (its fold depends on its length). */
    private static String normalized(String message) {
        Matcher m = BOUNDARY.matcher(message);
        assertThat(m.find()).as("boundary in %s", message).isTrue();
        String boundary = m.group(1);
        return message.replace(boundary, "BOUNDARY").replace(";\r\n\tboundary=", "; boundary=");
    }
}
