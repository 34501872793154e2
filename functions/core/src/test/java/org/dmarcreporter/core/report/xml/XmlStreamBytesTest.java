package org.dmarcreporter.core.report.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fast paths of XmlStream and the writer change no byte of a report. */
class XmlStreamBytesTest {

    private static final String ALPHABET = "abcXYZ019.-_@:/ <>&\"'\t\n\r\u0000\u0007\u001f\u007f\u0080\u00e9\u00ff"
            + "\u0100\u20ac\uD800\uDC00\uDBFF\uDFFF\uFFFE\uFFFF\uD83D\uDE00\uFFFD";

    private static final XmlStream.Tag O = XmlStream.Tag.of("o");

    @Test
    void textIsEscapedAndEncodedAsBefore() throws IOException {
        Random random = new Random(42);
        ByteArrayOutputStream fast = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        XmlStream xml = new XmlStream(fast);
        OracleXmlStream oracle = new OracleXmlStream(plain);
        xml.startDocument("feedback", "urn:x");
        oracle.startDocument("feedback", "urn:x");
        // Enough text to cross the buffer many times, in strings from 0 to 3,000 characters.
        for (int i = 0; i < 3_000; i++) {
            int length = i % 10 == 0 ? random.nextInt(3_000) : random.nextInt(40);
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < length; j++) {
                s.append(
                        random.nextInt(4) == 0
                                ? ALPHABET.charAt(random.nextInt(ALPHABET.length()))
                                : (char) ('a' + random.nextInt(26)));
            }
            String name = "e" + (i % 7);
            xml.element(XmlStream.Tag.of(name), s.toString());
            oracle.element(name, s.toString());
            xml.optional(O, i % 3 == 0 ? "" : s.toString());
            oracle.optional("o", i % 3 == 0 ? "" : s.toString());
        }
        xml.endDocument();
        oracle.endDocument();
        assertThat(fast.size()).isGreaterThan(300_000);
        assertThat(fast.toByteArray()).isEqualTo(plain.toByteArray());
    }

    /**
     * SHA-256 of the reports as the writer wrote them at commit 8211099; for rfc7489 as since
     * IPv6 is written with all eight groups there, which changed those bytes and no others.
     */
    @ParameterizedTest
    @EnumSource(ReportFormat.class)
    void reportsAreTheBytesTheyWereBefore(ReportFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AggregateReportWriter.write(
                out, format, metadata(), policy(), rows(2_000).iterator());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        AggregateReportWriter.writeGzip(
                gz, format, metadata(), policy(), rows(2_000).iterator());
        String expected = format == ReportFormat.RFC9990
                ? "380f73b532a5be8751e8c1cac13cc9da6f0d34b4bdffa6be8e795df726d681df"
                : "b43adf3d9219f32391ee59dd65542faa9a9abe3dc74ed6535c665ce37f798526";
        String expectedGz = format == ReportFormat.RFC9990
                ? "3219f30beeaa43c635628c961a75e0d17f3fbc44ab4299358228ff363e04f667"
                : "e75644b4bfae921c70763ca0bf24ce894b3912e314d768559ecafa3a99b64782";
        assertThat(sha256(out.toByteArray())).isEqualTo(expected);
        assertThat(sha256(gz.toByteArray())).isEqualTo(expectedGz);
    }

    @Test
    void gzipIsWhatGzipOutputStreamWritesAlsoWhenTheThreadsDeflaterIsReused() throws Exception {
        for (int rows : new int[] {1, 2_000, 30, 0}) {
            byte[] xml = new byte[0];
            if (rows > 0) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                AggregateReportWriter.write(
                        out,
                        ReportFormat.RFC9990,
                        metadata(),
                        policy(),
                        rows(rows).iterator());
                xml = out.toByteArray();
            }
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(plain) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_SPEED);
                }
            };
            gzip.write(xml);
            gzip.finish();
            ByteArrayOutputStream reused = new ByteArrayOutputStream();
            ReusedGzip fast = ReusedGzip.open(reused, 512);
            fast.write(xml, 0, xml.length / 2);
            fast.write(xml, xml.length / 2, xml.length - xml.length / 2);
            fast.finish();
            assertThat(reused.toByteArray()).as("%d rows", rows).isEqualTo(plain.toByteArray());
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static ReportMetadata metadata() {
        return new ReportMetadata(
                "reporter.example",
                List.of("dmarc@reporter.example", "abuse@reporter.example"),
                "https://reporter.example/dmarc?a=1&b=<2>",
                "1764547200.example.com@reporter.example",
                1764547200L,
                1764633599L,
                "dmarc-reporter 0.1.0",
                "DNS timeout for _dmarc.example.com; r\u00e9sum\u00e9");
    }

    private static PublishedPolicy policy() {
        return new PublishedPolicy(
                "example.com",
                Policy.REJECT,
                Policy.QUARANTINE,
                Policy.NONE,
                AlignmentMode.RELAXED,
                AlignmentMode.STRICT,
                "1:d",
                true,
                100);
    }

    private static List<CountedRow> rows(int n) {
        List<CountedRow> rows = new ArrayList<>();
        ReportedDisposition[] dispositions = ReportedDisposition.values();
        for (int i = 0; i < n; i++) {
            List<OverrideReason> reasons = i % 5 == 0
                    ? List.of(
                            OverrideReason.POLICY_TEST_MODE,
                            new OverrideReason("local_policy", "via <list> & co #" + i))
                    : List.of();
            List<DkimAuth> dkim = i % 3 == 0
                    ? List.of()
                    : List.of(
                            new DkimAuth("example.com", "s" + i, "pass"),
                            new DkimAuth("\u00fcber.example", "k", "fail"));
            SpfAuth spf = i % 4 == 0
                    ? null
                    : new SpfAuth("bounce" + i + ".example.net", "mfrom", i % 2 == 0 ? "policy" : "softfail");
            String envelope = i % 7 == 0 ? null : i % 7 == 1 ? "" : "bounce" + i + ".example.net";
            rows.add(new CountedRow(
                    new AggregateRow(
                            i % 2 == 0
                                    ? "192.0." + (i >> 8 & 255) + "." + (i & 255)
                                    : "2001:db8::" + Integer.toHexString(i),
                            "example.com",
                            envelope,
                            dispositions[i % dispositions.length],
                            i % 3 == 1,
                            i % 2 == 0,
                            reasons,
                            dkim,
                            spf),
                    i * 7919L % 100_000 + 1));
        }
        return rows;
    }
}
