package org.dmarcreporter.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.util.Iterator;
import java.util.NoSuchElementException;
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
        ReportMetadata metadata = ReportFixtures.metadata("1764547200.example.com@reporter.example");
        PublishedPolicy policy = ReportFixtures.policy();
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

    /** Distinct rows ({@link ReportFixtures#row}), made as the writer asks for them. */
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
            return ReportFixtures.row(next++);
        }
    }
}
