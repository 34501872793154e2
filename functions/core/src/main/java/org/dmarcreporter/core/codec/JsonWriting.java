package org.dmarcreporter.core.codec;

import org.dmarcreporter.core.api.ResultReader;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.Verdict;

/**
 * Writes the API's JSON shapes ({@code docs/ingest-api.md}) with Jackson's streaming generator: verdicts for answers,
 * result objects for stored failure candidates (so they read back through {@link ResultReader}).
 */
public final class JsonWriting {

    public static final JsonFactory FACTORY = new JsonFactory();

    private JsonWriting() {
    }

    /** Something that writes one JSON value. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    public static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }

    public static String string(Body body) {
        return new String(bytes(body), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void verdict(JsonGenerator g, Verdict v) throws IOException {
        g.writeStartObject();
        if (v.messageId() != null) {
            g.writeStringField("messageId", v.messageId());
        }
        if (v.policyDomain() != null) {
            g.writeStringField("policyDomain", v.policyDomain());
        }
        g.writeStringField("dmarc", v.dmarc().token());
        g.writeStringField("disposition", v.disposition().token());
        g.writeBooleanField("dkimAligned", v.dkimAligned());
        g.writeBooleanField("spfAligned", v.spfAligned());
        g.writeEndObject();
    }

    /** A result object exactly as {@code docs/ingest-api.md} names its fields. */
    public static void result(JsonGenerator g, AuthenticationResult r) throws IOException {
        g.writeStartObject();
        stringIfSet(g, "messageId", r.messageId());
        if (r.receivedAt() != null) {
            g.writeStringField("receivedAt", r.receivedAt().toString());
        }
        g.writeStringField("sourceIp", r.sourceIp());
        if (r.sourcePort() != null) {
            g.writeNumberField("sourcePort", r.sourcePort());
        }
        stringIfSet(g, "helo", r.helo());
        stringIfSet(g, "envelopeFrom", r.envelopeFrom());
        if (!r.envelopeTo().isEmpty()) {
            g.writeArrayFieldStart("envelopeTo");
            for (String to : r.envelopeTo()) {
                g.writeString(to);
            }
            g.writeEndArray();
        }
        g.writeStringField("headerFrom", r.headerFrom());
        if (r.spf() != null) {
            g.writeObjectFieldStart("spf");
            g.writeStringField("result", r.spf().result().token());
            stringIfSet(g, "domain", r.spf().domain());
            g.writeStringField("scope", r.spf().scope().token());
            g.writeEndObject();
        }
        if (!r.dkim().isEmpty()) {
            g.writeArrayFieldStart("dkim");
            for (DkimCheck d : r.dkim()) {
                g.writeStartObject();
                g.writeStringField("result", d.result().token());
                stringIfSet(g, "domain", d.domain());
                stringIfSet(g, "selector", d.selector());
                g.writeBooleanField("reportRequested", d.reportRequested());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        stringIfSet(g, "headers", r.headers());
        g.writeEndObject();
    }

    public static void stringIfSet(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
