package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** XmlStream as of commit 8211099: the oracle the faster one must match byte for byte. */
final class OracleXmlStream {

    private static final int BUFFER = 64 * 1024;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private final Deque<Tag> open = new ArrayDeque<>();
    private final Map<String, Tag> tags = new HashMap<>();

    OracleXmlStream(OutputStream out) {
        this.out = out;
    }

    /** The XML declaration and the root element, with a default namespace when one is given. */
    void startDocument(String root, String namespace) throws IOException {
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Tag tag = tag(root);
        if (namespace == null) {
            bytes(tag.open);
        } else {
            raw("<" + root + " xmlns=\"" + namespace + "\">");
        }
        open.push(tag);
    }

    void start(String name) throws IOException {
        Tag tag = tag(name);
        bytes(tag.open);
        open.push(tag);
    }

    void end() throws IOException {
        bytes(open.pop().close);
    }

    void element(String name, String text) throws IOException {
        Tag tag = tag(name);
        bytes(tag.open);
        text(text);
        bytes(tag.close);
    }

    /** An element only when there is text for it. */
    void optional(String name, String text) throws IOException {
        if (text != null && !text.isEmpty()) {
            element(name, text);
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

    private Tag tag(String name) {
        return tags.computeIfAbsent(name, Tag::new);
    }

    private void text(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
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

    private static final class Tag {
        final byte[] open;
        final byte[] close;

        Tag(String name) {
            open = ("<" + name + ">").getBytes(StandardCharsets.US_ASCII);
            close = ("</" + name + ">").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
