package org.dmarcreporter.bench;

import java.util.List;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.report.xml.ReportMetadata;

/** The aggregate report the report benchmarks render: one reporter, one policy, generated rows. */
final class ReportFixtures {

    static final long BEGIN = 1764547200L;
    static final long END = 1764633599L;

    private ReportFixtures() {}

    static ReportMetadata metadata(String reportId) {
        return new ReportMetadata(
                "reporter.example",
                List.of("dmarc@reporter.example"),
                null,
                reportId,
                BEGIN,
                END,
                "dmarc-reporter bench",
                null);
    }

    static PublishedPolicy policy() {
        return new PublishedPolicy(
                "example.com",
                Policy.REJECT,
                Policy.REJECT,
                Policy.REJECT,
                AlignmentMode.RELAXED,
                AlignmentMode.RELAXED,
                "0",
                false,
                100);
    }

    /** Row {@code i}: its own source IP, with a realistic mix of results and two signatures. */
    static CountedRow row(int i) {
        String ip = (10 + (i >>> 24)) + "." + ((i >>> 16) & 255) + "." + ((i >>> 8) & 255) + "." + (i & 255);
        boolean pass = (i & 3) != 0;
        AggregateRow row = new AggregateRow(
                ip,
                "example.com",
                "bounce.example.com",
                pass ? ReportedDisposition.PASS : ReportedDisposition.REJECT,
                pass,
                (i & 1) == 0,
                List.of(),
                List.of(
                        new DkimAuth("example.com", "s2026", pass ? "pass" : "fail"),
                        new DkimAuth("esp.example.net", "k1", "pass")),
                new SpfAuth("bounce.example.com", "mfrom", (i & 1) == 0 ? "pass" : "softfail"));
        return new CountedRow(row, 1 + (i % 17));
    }
}
