package org.dmarcreporter.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.report.mail.AggregateReportMail;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.mail.ReportNames;
import org.dmarcreporter.core.report.xml.AggregateReportWriter;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.report.xml.ReportMetadata;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU one aggregate report costs on the send path before the relay: rendering and gzipping a
 * report of {@value #ROWS} rows ({@link AggregateReportWriter#writeGzip}; the XML alone in
 * renderXml), and composing the mail
 * that carries it ({@link AggregateReportMail#compose}), as scripts/bench-end-to-end does for each
 * of its policy domains. Run: {@code java -jar functions/bench/target/benchmarks.jar
 * ReportSendBenchmark -f 1 -t 1 -wi 3 -i 5}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class ReportSendBenchmark {

    static final int ROWS = 100;
    static final long BEGIN = ReportFixtures.BEGIN;
    static final long END = ReportFixtures.END;

    private final ReportNames names = ReportNames.aggregate("reporter.example", "example.com", BEGIN, END);
    private final Instant date = Instant.ofEpochSecond(END + 5);
    private ReportMetadata metadata;
    private PublishedPolicy policy;
    private List<CountedRow> rows;
    private byte[] gzip;

    @Setup
    public void setUp() throws IOException {
        metadata = ReportFixtures.metadata(names.reportId());
        policy = ReportFixtures.policy();
        rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(ReportFixtures.row(i));
        }
        gzip = renderGzip();
    }

    /** As AggregateRun renders: into a presized byte buffer. */
    @Benchmark
    public byte[] renderGzip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        AggregateReportWriter.writeGzip(out, ReportFormat.RFC9990, metadata, policy, rows.iterator());
        return out.toByteArray();
    }

    /** The XML alone, into a sink that only counts: what XmlStream and the writer cost. */
    @Benchmark
    public long renderXml() throws IOException {
        CountingStream out = new CountingStream();
        AggregateReportWriter.write(out, ReportFormat.RFC9990, metadata, policy, rows.iterator());
        return out.bytes;
    }

    @Benchmark
    public OutgoingMail compose() {
        return AggregateReportMail.compose(
                "noreply@reporter.example",
                "bounces@reporter.example",
                List.of("dmarc@example.com"),
                names,
                "example.com",
                BEGIN,
                END,
                gzip,
                date);
    }
}
