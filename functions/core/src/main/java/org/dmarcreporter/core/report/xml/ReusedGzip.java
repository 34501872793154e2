package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * The bytes {@code GZIPOutputStream} writes at {@link Deflater#BEST_SPEED} (its 10-byte header,
 * raw deflate, CRC-32 and length trailer; RFC 1952), but with a deflater kept per thread and
 * reset for each report: making one allocates and clears some 300 KB of native state, a cost
 * that rivals compressing a small report.
 */
final class ReusedGzip extends DeflaterOutputStream {

    private static final ThreadLocal<Deflater> DEFLATER =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));

    /** GZIPOutputStream's header: magic, CM=deflate, no flags, no mtime, no XFL, OS 255 "unknown" (JDK 16+). */
    private static final byte[] HEADER = {(byte) 0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final CRC32 crc = new CRC32();

    private ReusedGzip(OutputStream out, Deflater deflater, int size) {
        super(out, deflater, size);
    }

    /** A stream that has written the header; {@link #finish()} writes the trailer and keeps {@code out} open. */
    static ReusedGzip open(OutputStream out, int size) throws IOException {
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        out.write(HEADER);
        return new ReusedGzip(out, deflater, size);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        super.write(b, off, len);
        crc.update(b, off, len);
    }

    @Override
    public void finish() throws IOException {
        if (!def.finished()) {
            super.finish();
            byte[] trailer = new byte[8];
            int crcValue = (int) crc.getValue();
            int size = (int) def.getBytesRead(); // modulo 2^32, as RFC 1952 ISIZE
            for (int i = 0; i < 4; i++) {
                trailer[i] = (byte) (crcValue >>> (8 * i));
                trailer[4 + i] = (byte) (size >>> (8 * i));
            }
            out.write(trailer);
        }
    }
}
