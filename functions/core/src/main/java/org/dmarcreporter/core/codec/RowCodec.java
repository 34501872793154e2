package org.dmarcreporter.core.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
 * {@link AggregateRow} as stored JSON with Jackson's streaming API: databind's bean (de)serializers
 * were a tenth of the ingest and report threads' CPU. The bytes are the records' annotated shape
 * as databind writes it (property order, NON_NULL omissions, the same factory and so the same
 * escaping); {@code RowCodecTest} checks this against databind on random rows.
 *
 * <p>Reading has a fast path only: {@link #readOrNull} returns the row when the JSON has the shape
 * this codec writes (fields in any order, unknown fields anywhere, optional fields null or absent),
 * and null for anything else — a missing, null, duplicate or oddly typed field, an unknown token,
 * bad JSON. The caller then reads the text with databind, so every error message, coercion and
 * corner case stays exactly databind's; those only occur with damaged data, where speed does not
 * matter.
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

    RowCodec(JsonFactory factory) {
        this.factory = factory;
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

    /** The row, or null when the JSON is not in the plain shape (see the class comment). */
    AggregateRow readOrNull(String json) {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            AggregateRow row = row(p);
            // Trailing tokens: databind fails (FAIL_ON_TRAILING_TOKENS), so it must say how.
            return row != null && p.nextToken() == null ? row : null;
        } catch (JacksonException e) {
            return null;
        } catch (IOException e) {
            // Not thrown when reading a String; databind reports it all the same.
            return null;
        }
    }

    /** Reads the object whose START_OBJECT is the current token; null when not in the plain shape. */
    private static AggregateRow row(JsonParser p) throws IOException {
        String sourceIp = null;
        String headerFrom = null;
        String envelopeFrom = null;
        ReportedDisposition disposition = null;
        int dkimAligned = -1;
        int spfAligned = -1;
        List<OverrideReason> reasons = null;
        List<DkimAuth> dkim = null;
        SpfAuth spf = null;
        // Duplicate fields fall back: databind's handling of them depends on where they come.
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "sourceIp" -> {
                    bit = 1;
                    if (t != JsonToken.VALUE_STRING) return null;
                    sourceIp = p.getText();
                }
                case "headerFrom" -> {
                    bit = 2;
                    if (t != JsonToken.VALUE_STRING) return null;
                    headerFrom = p.getText();
                }
                case "envelopeFrom" -> {
                    bit = 4;
                    if (t == JsonToken.VALUE_STRING) {
                        envelopeFrom = p.getText();
                    } else if (t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                case "disposition" -> {
                    bit = 8;
                    if (t != JsonToken.VALUE_STRING) return null;
                    disposition = disposition(p.getText());
                    if (disposition == null) return null;
                }
                case "dkimAligned" -> {
                    bit = 16;
                    dkimAligned = bool(t);
                    if (dkimAligned < 0) return null;
                }
                case "spfAligned" -> {
                    bit = 32;
                    spfAligned = bool(t);
                    if (spfAligned < 0) return null;
                }
                case "reasons" -> {
                    bit = 64;
                    reasons = reasons(p, t);
                    if (reasons == null) return null;
                }
                case "dkim" -> {
                    bit = 128;
                    dkim = dkim(p, t);
                    if (dkim == null) return null;
                }
                case "spf" -> {
                    bit = 256;
                    if (t == JsonToken.START_OBJECT) {
                        spf = spf(p);
                        if (spf == null) return null;
                    } else if (t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                default -> {
                    // Written by a later version: ignored like databind does, whatever its value.
                    p.skipChildren();
                    continue;
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            return null;
        }
        // Every field but the optional envelopeFrom (4) and spf (256) is required.
        if ((seen | 4 | 256) != 511) {
            return null;
        }
        return new AggregateRow(
                sourceIp, headerFrom, envelopeFrom, disposition, dkimAligned == 1, spfAligned == 1, reasons, dkim, spf);
    }

    /** The disposition by its {@code @JsonValue} token, as databind maps it; null for any other text. */
    private static ReportedDisposition disposition(String token) {
        for (ReportedDisposition d : DISPOSITIONS) {
            if (d.token().equals(token)) {
                return d;
            }
        }
        return null;
    }

    /** 1 for true, 0 for false, -1 for anything else (databind's coercions are left to databind). */
    private static int bool(JsonToken t) {
        return t == JsonToken.VALUE_TRUE ? 1 : t == JsonToken.VALUE_FALSE ? 0 : -1;
    }

    private static List<OverrideReason> reasons(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<OverrideReason> list = new ArrayList<>(2);
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String type = null;
            String comment = null;
            boolean haveType = false;
            boolean haveComment = false;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken v = p.nextToken();
                if (name.equals("type")) {
                    if (haveType || v != JsonToken.VALUE_STRING) return null;
                    haveType = true;
                    type = p.getText();
                } else if (name.equals("comment")) {
                    if (haveComment) return null;
                    haveComment = true;
                    if (v == JsonToken.VALUE_STRING) {
                        comment = p.getText();
                    } else if (v != JsonToken.VALUE_NULL) {
                        return null;
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || !haveType) {
                return null;
            }
            list.add(new OverrideReason(type, comment));
        }
        return t == JsonToken.END_ARRAY ? list : null;
    }

    private static List<DkimAuth> dkim(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<DkimAuth> list = new ArrayList<>(4);
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String[] v = triple(p, "selector");
            if (v == null) {
                return null;
            }
            list.add(new DkimAuth(v[0], v[1], v[2]));
        }
        return t == JsonToken.END_ARRAY ? list : null;
    }

    private static SpfAuth spf(JsonParser p) throws IOException {
        String[] v = triple(p, "scope");
        return v == null ? null : new SpfAuth(v[0], v[1], v[2]);
    }

    /**
     * The three required string fields {@code domain}, {@code middle}, {@code result} of the
     * object whose START_OBJECT is the current token; null when one is missing, null, not a
     * string or repeated.
     */
    private static String[] triple(JsonParser p, String middle) throws IOException {
        String[] v = new String[3];
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int i;
            if (name.equals("domain")) {
                i = 0;
            } else if (name.equals(middle)) {
                i = 1;
            } else if (name.equals("result")) {
                i = 2;
            } else {
                p.skipChildren();
                continue;
            }
            if (t != JsonToken.VALUE_STRING || v[i] != null) {
                return null;
            }
            v[i] = p.getText();
        }
        if (p.currentToken() != JsonToken.END_OBJECT || v[0] == null || v[1] == null || v[2] == null) {
            return null;
        }
        return v;
    }
}
