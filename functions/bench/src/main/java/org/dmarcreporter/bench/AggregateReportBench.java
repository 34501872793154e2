package org.dmarcreporter.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.xml.AggregateReportWriter;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.report.xml.PublishedPolicy;
import org.dmarcreporter.core.report.xml.ReportMetadata;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;

/**
 * Builds and gzips one aggregate report of ROWS distinct rows (default 1,000,000) and prints the
 * time, the compressed size and the peak heap in use. Rows are generated as they are written, as
 * a store's paged read would hand them over, so the figure is the renderer's own cost. Run it with
 * a small heap (scripts/bench-aggregate-report uses -Xmx128m) to show that memory does not grow
 * with rows. Goal: under 3 s and under 128 MB of heap.
 */
public final class AggregateReportBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws IOException {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ReportMetadata metadata = new ReportMetadata(
                "reporter.example",
                List.of("dmarc@reporter.example"),
                null,
                "1764547200.example.com@reporter.example",
                1764547200L,
                1764633599L,
                "dmarc-reporter bench",
                null);
        PublishedPolicy policy = new PublishedPolicy(
                "example.com",
                Policy.REJECT,
                Policy.REJECT,
                Policy.REJECT,
                AlignmentMode.RELAXED,
                AlignmentMode.RELAXED,
                "0",
                false,
                100);
        for (int round = 1; round <= rounds; round++) {
            CountingStream sink = new CountingStream();
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            AggregateReportWriter.writeGzip(sink, ReportFormat.RFC9990, metadata, policy, new Rows(rows));
            long millis = (System.nanoTime() - start) / 1_000_000;
            long cpuMillis = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
            System.out.printf(
                    "round %d: %,d rows in %,d ms (%,d ms CPU on this thread), %,d bytes gzip, "
                            + "peak heap used %,d MB (max heap %,d MB)%n",
                    round,
                    rows,
                    millis,
                    cpuMillis,
                    sink.bytes,
                    peakHeapBytes() / (1024 * 1024),
                    Runtime.getRuntime().maxMemory() / (1024 * 1024));
        }
    }

    private static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** Distinct rows: one per source IP, with a realistic mix of results and two signatures. */
    private static final class Rows implements Iterator<CountedRow> {
        private final int total;
        private int next;

        Rows(int total) {
            this.total = total;
        }

        @Override
        public boolean hasNext() {
            return next < total;
        }

        @Override
        public CountedRow next() {
            if (next >= total) {
                throw new NoSuchElementException();
            }
            int i = next++;
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
}
