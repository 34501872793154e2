package org.dmarcreporter.bench;

import java.io.OutputStream;

/** A sink that only counts the bytes written to it: what rendering costs without the copy. */
final class CountingStream extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
        bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        bytes += len;
    }
}
