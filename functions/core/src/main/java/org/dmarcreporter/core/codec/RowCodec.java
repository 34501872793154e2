package org.dmarcreporter.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;

/**
 * {@link AggregateRow} as stored JSON without databind, whose bean (de)serializers were a tenth of
 * the ingest and report threads' CPU. Writing uses Jackson's streaming generator: the bytes are the
 * records' annotated shape as databind writes it (property order, NON_NULL omissions, the same
 * factory and so the same escaping); {@code RowCodecTest} checks this against databind on random
 * rows.
 *
 * <p>Reading has a fast path only: {@link #readOrNull} scans the text by hand (Jackson's tokenizer
 * alone cost most of databind's time) and returns the row when the JSON is exactly what
 * {@link #write} makes — its field order, no white space, optional fields left out rather than
 * null — with any JSON string escapes; and null for anything else, even valid JSON in another
 * order. The caller then reads the text with databind, so every error message, coercion and corner
 * case stays exactly databind's; other shapes only occur with damaged or hand-made data, where
 * speed does not matter.
 */
final class RowCodec {

    private static final ReportedDisposition[] DISPOSITIONS = ReportedDisposition.values();

    // Names quoted once, as databind's serializers keep them.
    private static final SerializedString SOURCE_IP = new SerializedString("sourceIp");
    private static final SerializedString HEADER_FROM = new SerializedString("headerFrom");
    private static final SerializedString ENVELOPE_FROM = new SerializedString("envelopeFrom");
    private static final SerializedString DISPOSITION = new SerializedString("disposition");
    private static final SerializedString DKIM_ALIGNED = new SerializedString("dkimAligned");
    private static final SerializedString SPF_ALIGNED = new SerializedString("spfAligned");
    private static final SerializedString REASONS = new SerializedString("reasons");
    private static final SerializedString DKIM = new SerializedString("dkim");
    private static final SerializedString SPF = new SerializedString("spf");
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString COMMENT = new SerializedString("comment");
    private static final SerializedString DOMAIN = new SerializedString("domain");
    private static final SerializedString SELECTOR = new SerializedString("selector");
    private static final SerializedString SCOPE = new SerializedString("scope");
    private static final SerializedString RESULT = new SerializedString("result");

    private final JsonFactory factory;

    /** The longest text the fast path reads: longer ones may break the parser's limits, which databind reports. */
    private final long longestFast;

    RowCodec(JsonFactory factory) {
        this.factory = factory;
        StreamReadConstraints limits = factory.streamReadConstraints();
        long document = limits.getMaxDocumentLength();
        // No string in the text is longer than the text; a document limit of 0 or less means none.
        longestFast = Math.min(limits.getMaxStringLength(), document > 0 ? document : Long.MAX_VALUE);
    }

    String write(AggregateRow row) {
        // As ObjectWriter.writeValueAsString does: the writer's segments come from the recycler.
        BufferRecycler recycler = factory._getBufferRecycler();
        try (SegmentedStringWriter out = new SegmentedStringWriter(recycler);
                JsonGenerator g = factory.createGenerator(out)) {
            // @JsonInclude(NON_NULL) on AggregateRow applies to every property, not only the optional ones.
            g.writeStartObject();
            stringUnlessNull(g, SOURCE_IP, row.sourceIp());
            stringUnlessNull(g, HEADER_FROM, row.headerFrom());
            stringUnlessNull(g, ENVELOPE_FROM, row.envelopeFrom());
            if (row.disposition() != null) {
                g.writeFieldName(DISPOSITION);
                g.writeString(row.disposition().token());
            }
            g.writeFieldName(DKIM_ALIGNED);
            g.writeBoolean(row.dkimAligned());
            g.writeFieldName(SPF_ALIGNED);
            g.writeBoolean(row.spfAligned());
            g.writeFieldName(REASONS);
            g.writeStartArray();
            for (OverrideReason r : row.reasons()) {
                g.writeStartObject();
                stringUnlessNull(g, TYPE, r.type());
                stringUnlessNull(g, COMMENT, r.comment());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName(DKIM);
            g.writeStartArray();
            for (DkimAuth d : row.dkim()) {
                // DkimAuth and SpfAuth have no NON_NULL: a null is written as null.
                g.writeStartObject();
                string(g, DOMAIN, d.domain());
                string(g, SELECTOR, d.selector());
                string(g, RESULT, d.result());
                g.writeEndObject();
            }
            g.writeEndArray();
            SpfAuth spf = row.spf();
            if (spf != null) {
                g.writeFieldName(SPF);
                g.writeStartObject();
                string(g, DOMAIN, spf.domain());
                string(g, SCOPE, spf.scope());
                string(g, RESULT, spf.result());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.close();
            return out.getAndClear();
        } catch (IOException e) {
            // A SegmentedStringWriter does not fail.
            throw new UncheckedIOException(e);
        } finally {
            recycler.releaseToPool();
        }
    }

    private static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    private static void stringUnlessNull(JsonGenerator g, SerializedString name, String value) throws IOException {
        if (value != null) {
            string(g, name, value);
        }
    }

    /**
     * The row, or null when the JSON is not exactly what {@link #write} makes (see the class
     * comment). A hand-written scan: Jackson's tokenizer alone cost most of databind's time here.
     */
    AggregateRow readOrNull(String json) {
        // Past the parser's limits databind fails; that error is its to give.
        if (json.length() > longestFast) {
            return null;
        }
        Scan s = new Scan(json);
        if (!s.expect("{\"sourceIp\":")) return null;
        String sourceIp = s.string();
        if (sourceIp == null || !s.expect(",\"headerFrom\":")) return null;
        String headerFrom = s.string();
        if (headerFrom == null) return null;
        // Null envelopeFrom is left out (NON_NULL), never written as null.
        String envelopeFrom = null;
        if (s.expect(",\"envelopeFrom\":")) {
            envelopeFrom = s.string();
            if (envelopeFrom == null) return null;
        }
        if (!s.expect(",\"disposition\":")) return null;
        ReportedDisposition disposition = disposition(s.string());
        if (disposition == null || !s.expect(",\"dkimAligned\":")) return null;
        int dkimAligned = s.bool();
        if (dkimAligned < 0 || !s.expect(",\"spfAligned\":")) return null;
        int spfAligned = s.bool();
        if (spfAligned < 0 || !s.expect(",\"reasons\":[")) return null;
        List<OverrideReason> reasons = List.of();
        if (!s.expect(']')) {
            do {
                if (!s.expect("{\"type\":")) return null;
                String type = s.string();
                if (type == null) return null;
                String comment = null;
                if (s.expect(",\"comment\":")) {
                    comment = s.string();
                    if (comment == null) return null;
                }
                if (!s.expect('}')) return null;
                reasons = plus(reasons, new OverrideReason(type, comment));
            } while (s.expect(','));
            if (!s.expect(']')) return null;
        }
        if (!s.expect(",\"dkim\":[")) return null;
        List<DkimAuth> dkim = List.of();
        if (!s.expect(']')) {
            do {
                // A null here is written as null and refused by databind (Nulls.FAIL): s.string() gives up on it.
                if (!s.expect("{\"domain\":")) return null;
                String domain = s.string();
                if (domain == null || !s.expect(",\"selector\":")) return null;
                String selector = s.string();
                if (selector == null || !s.expect(",\"result\":")) return null;
                String result = s.string();
                if (result == null || !s.expect('}')) return null;
                dkim = plus(dkim, new DkimAuth(domain, selector, result));
            } while (s.expect(','));
            if (!s.expect(']')) return null;
        }
        SpfAuth spf = null;
        if (s.expect(",\"spf\":{\"domain\":")) {
            String domain = s.string();
            if (domain == null || !s.expect(",\"scope\":")) return null;
            String scope = s.string();
            if (scope == null || !s.expect(",\"result\":")) return null;
            String result = s.string();
            if (result == null || !s.expect('}')) return null;
            spf = new SpfAuth(domain, scope, result);
        }
        // Nothing after the row, not even white space (databind allows that; it reads such rows).
        if (!s.expect('}') || !s.atEnd()) return null;
        return new AggregateRow(
                sourceIp, headerFrom, envelopeFrom, disposition, dkimAligned == 1, spfAligned == 1, reasons, dkim, spf);
    }

    /**
     * The list with {@code e} added: immutable up to two elements, as most rows have, which the
     * record's {@code List.copyOf} keeps as they are instead of copying; an ArrayList beyond.
     */
    private static <T> List<T> plus(List<T> list, T e) {
        return switch (list.size()) {
            case 0 -> List.of(e);
            case 1 -> List.of(list.get(0), e);
            case 2 -> {
                List<T> more = new ArrayList<>(8);
                more.addAll(list);
                more.add(e);
                yield more;
            }
            default -> {
                list.add(e);
                yield list;
            }
        };
    }

    /** The disposition by its {@code @JsonValue} token, as databind maps it; null for any other text or null. */
    private static ReportedDisposition disposition(String token) {
        if (token != null) {
            for (ReportedDisposition d : DISPOSITIONS) {
                if (d.token().equals(token)) {
                    return d;
                }
            }
        }
        // Databind also takes an index ("1") and more; those are not written, so they are its to read.
        return null;
    }

    /** A cursor over the JSON text; every method moves on only when it matches. */
    private static final class Scan {
        private final String text;
        private int at;

        Scan(String text) {
            this.text = text;
        }

        boolean expect(String literal) {
            if (text.startsWith(literal, at)) {
                at += literal.length();
                return true;
            }
            return false;
        }

        boolean expect(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        boolean atEnd() {
            return at == text.length();
        }

        /** 1 for true, 0 for false, -1 for anything else (databind's coercions are left to databind). */
        int bool() {
            return expect("true") ? 1 : expect("false") ? 0 : -1;
        }

        /**
         * The JSON string value here, decoded as Jackson decodes it: the eight one-letter escapes
         * and {@code \\uXXXX} (each a char of its own, so a surrogate pair is two of them, and a
         * lone surrogate passes as Jackson passes it), other characters as they are except
         * controls below U+0020, which Jackson refuses unescaped. Null for anything else.
         */
        String string() {
            String t = text;
            int n = t.length();
            int i = at;
            if (i >= n || t.charAt(i) != '"') {
                return null;
            }
            int start = ++i;
            for (; i < n; i++) {
                char c = t.charAt(i);
                if (c == '"') {
                    at = i + 1;
                    return t.substring(start, i);
                }
                if (c == '\\') {
                    return escaped(start, i);
                }
                if (c < 0x20) {
                    return null;
                }
            }
            return null;
        }

        /** The rest of {@link #string()} once it meets a backslash at {@code i}. */
        private String escaped(int start, int i) {
            String t = text;
            int n = t.length();
            StringBuilder b = new StringBuilder(i - start + 16).append(t, start, i);
            while (i < n) {
                char c = t.charAt(i++);
                if (c == '"') {
                    at = i;
                    return b.toString();
                }
                if (c < 0x20) {
                    return null;
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= n) {
                    return null;
                }
                switch (t.charAt(i++)) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > n) {
                            return null;
                        }
                        int code = hex(t.charAt(i)) << 12
                                | hex(t.charAt(i + 1)) << 8
                                | hex(t.charAt(i + 2)) << 4
                                | hex(t.charAt(i + 3));
                        // A bad digit is -1, which makes the whole value negative.
                        if (code < 0) {
                            return null;
                        }
                        b.append((char) code);
                        i += 4;
                    }
                    default -> {
                        // Jackson refuses any other escape (ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER is off).
                        return null;
                    }
                }
            }
            return null;
        }

        /** An ASCII hex digit's value, -1 for any other char (Character.digit takes other scripts' digits). */
        private static int hex(char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
