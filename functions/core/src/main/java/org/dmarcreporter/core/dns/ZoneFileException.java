package org.dmarcreporter.core.dns;

/** A master file that cannot be read or parsed; the message names the file and line. */
public final class ZoneFileException extends IllegalArgumentException {

    private final String source;
    private final int line;

    ZoneFileException(String source, int line, String problem, Throwable cause) {
        super("zone file " + source + (line > 0 ? " line " + line : "") + ": " + problem, cause);
        this.source = source;
        this.line = line;
    }

    /** The file's path, or the label given with zone text. */
    public String source() {
        return source;
    }

    /** 1-based line of the error, or 0 when the error is not about one line. */
    public int line() {
        return line;
    }
}
