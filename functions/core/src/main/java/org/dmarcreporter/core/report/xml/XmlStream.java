package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A minimal streaming XML writer for report documents: UTF-8, elements with text, no mixed
 * content, no attributes but the root's namespace. The JDK's StAX writer cost about four seconds
 * per million report rows (encoding text one character at a time); this one writes ready-encoded
 * tags and copies ASCII text straight into its buffer, which keeps a million-row report within a
 * second or two. Text is escaped for element content (XML 1.0 §2.4; a CR is written as a reference so that it survives parsing), and characters XML cannot
 * carry at all (§2.2) are replaced, never written raw.
 */
final class XmlStream {

    /** Enough to hand the gzip stream sizeable chunks; a small report's stream is not worth zeroing 64 KB for. */
    private static final int BUFFER = 16 * 1024;

    /** ASCII characters written as they are in element content; the others are escaped or replaced. */
    private static final boolean[] PLAIN = new boolean[0x80];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '<' && c != '>' && c != '&';
        }
        PLAIN['\t'] = true;
        PLAIN['\n'] = true;
    }

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private final Deque<Tag> open = new ArrayDeque<>();

    XmlStream(OutputStream out) {
        this.out = out;
    }

    /** The XML declaration and the root element, with a default namespace when one is given. */
    void startDocument(String root, String namespace) throws IOException {
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Tag tag = Tag.of(root);
        if (namespace == null) {
            bytes(tag.open);
        } else {
            raw("<" + root + " xmlns=\"" + namespace + "\">");
        }
        open.push(tag);
    }

    void start(Tag tag) throws IOException {
        bytes(tag.open);
        open.push(tag);
    }

    void end() throws IOException {
        bytes(open.pop().close);
    }

    void element(Tag tag, String text) throws IOException {
        bytes(tag.open);
        text(text);
        bytes(tag.close);
    }

    /** An element holding a number in decimal, as Long.toString writes it. */
    void element(Tag tag, long value) throws IOException {
        bytes(tag.open);
        number(value);
        bytes(tag.close);
    }

    /** Fixed markup: tags written as they are, for a caller that writes a known sequence of them at once. */
    void markup(Markup markup) throws IOException {
        bytes(markup.bytes);
    }

    /** A number in decimal, as Long.toString writes it, as element content. */
    void number(long value) throws IOException {
        if (value < 0 || pos + 20 > buf.length) {
            raw(Long.toString(value));
        } else {
            int digits = 1;
            for (long v = value; v >= 10; v /= 10) {
                digits++;
            }
            int at = pos + digits;
            for (long v = value; at > pos; v /= 10) {
                buf[--at] = (byte) ('0' + v % 10);
            }
            pos += digits;
        }
    }

    /** An element only when there is text for it. */
    void optional(Tag tag, String text) throws IOException {
        if (text != null && !text.isEmpty()) {
            element(tag, text);
        }
    }

    /** Closes what is open, writes out the buffer and flushes; does not close the stream. */
    void endDocument() throws IOException {
        while (!open.isEmpty()) {
            end();
        }
        put('\n');
        out.write(buf, 0, pos);
        pos = 0;
        out.flush();
    }

    /** Text as element content, escaped where it must be. */
    void text(String s) throws IOException {
        int n = s.length();
        int i = 0;
        if (n <= buf.length - pos) {
            // Most report text is plain ASCII: copied straight into the buffer, which has room for
            // all of it, until the first character that needs more than one byte as it is.
            byte[] b = buf;
            int p = pos;
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80 || !PLAIN[c]) {
                    break;
                }
                b[p++] = (byte) c;
            }
            pos = p;
            if (i == n) {
                return;
            }
        }
        escaped(s, i);
    }

    /** The rest of the text from {@code from}, one character at a time. */
    private void escaped(String s, int from) throws IOException {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '<' -> raw("&lt;");
                    case '>' -> raw("&gt;");
                    case '&' -> raw("&amp;");
                    case '\r' -> raw("&#13;");
                    default -> {
                        if (c >= 0x20 || c == '\t' || c == '\n') {
                            put(c);
                        } else {
                            codePoint(0xFFFD);
                        }
                    }
                }
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                codePoint(Character.toCodePoint(c, s.charAt(++i)));
            } else if (Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                codePoint(0xFFFD);
            } else {
                codePoint(c);
            }
        }
    }

    private void put(int b) throws IOException {
        if (pos == buf.length) {
            out.write(buf, 0, pos);
            pos = 0;
        }
        buf[pos++] = (byte) b;
    }

    private void codePoint(int cp) throws IOException {
        if (cp < 0x80) {
            put(cp);
        } else if (cp < 0x800) {
            put(0xC0 | (cp >> 6));
            put(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            put(0xE0 | (cp >> 12));
            put(0x80 | ((cp >> 6) & 0x3F));
            put(0x80 | (cp & 0x3F));
        } else {
            put(0xF0 | (cp >> 18));
            put(0x80 | ((cp >> 12) & 0x3F));
            put(0x80 | ((cp >> 6) & 0x3F));
            put(0x80 | (cp & 0x3F));
        }
    }

    private void raw(String ascii) throws IOException {
        bytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private void bytes(byte[] b) throws IOException {
        if (pos + b.length > buf.length) {
            out.write(buf, 0, pos);
            pos = 0;
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** A run of ASCII markup, encoded once; writers keep theirs in constants. */
    static final class Markup {
        final byte[] bytes;

        static Markup of(String ascii) {
            return new Markup(ascii);
        }

        private Markup(String ascii) {
            bytes = ascii.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** An element name with its tags ready-encoded; writers keep theirs in constants. */
    static final class Tag {
        final byte[] open;
        final byte[] close;

        static Tag of(String name) {
            return new Tag(name);
        }

        private Tag(String name) {
            open = ("<" + name + ">").getBytes(StandardCharsets.US_ASCII);
            close = ("</" + name + ">").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
