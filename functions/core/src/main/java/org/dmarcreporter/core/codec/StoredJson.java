package org.dmarcreporter.core.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.ResultReader;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.Verdict;

/**
 * The JSON that every store keeps for report rows and failure candidates, so that DynamoDB and
 * the local SQLite store hold the same bytes and the report functions read either the same way.
 */
public final class StoredJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoredJson() {
    }

    public static String rowJson(AggregateRow row) {
        return JsonWriting.string(g -> writeRow(g, row));
    }

    public static void writeRow(JsonGenerator g, AggregateRow row) throws IOException {
        g.writeStartObject();
        g.writeStringField("sourceIp", row.sourceIp());
        g.writeStringField("headerFrom", row.headerFrom());
        JsonWriting.stringIfSet(g, "envelopeFrom", row.envelopeFrom());
        g.writeStringField("disposition", row.disposition().token());
        g.writeBooleanField("dkimAligned", row.dkimAligned());
        g.writeBooleanField("spfAligned", row.spfAligned());
        g.writeArrayFieldStart("reasons");
        for (OverrideReason r : row.reasons()) {
            g.writeStartObject();
            g.writeStringField("type", r.type());
            JsonWriting.stringIfSet(g, "comment", r.comment());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("dkim");
        for (DkimAuth d : row.dkim()) {
            g.writeStartObject();
            g.writeStringField("domain", d.domain());
            g.writeStringField("selector", d.selector());
            g.writeStringField("result", d.result());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (row.spf() != null) {
            g.writeObjectFieldStart("spf");
            g.writeStringField("domain", row.spf().domain());
            g.writeStringField("scope", row.spf().scope());
            g.writeStringField("result", row.spf().result());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    public static AggregateRow row(String json) {
        JsonNode o = tree(json);
        List<OverrideReason> reasons = new ArrayList<>();
        for (JsonNode r : o.path("reasons")) {
            reasons.add(new OverrideReason(r.path("type").asText(), text(r, "comment")));
        }
        List<DkimAuth> dkim = new ArrayList<>();
        for (JsonNode d : o.path("dkim")) {
            dkim.add(new DkimAuth(d.path("domain").asText(), d.path("selector").asText(), d.path("result").asText()));
        }
        JsonNode spf = o.get("spf");
        return new AggregateRow(
                o.path("sourceIp").asText(),
                o.path("headerFrom").asText(),
                text(o, "envelopeFrom"),
                ReportedDisposition.valueOf(o.path("disposition").asText().toUpperCase(java.util.Locale.ROOT)),
                o.path("dkimAligned").asBoolean(),
                o.path("spfAligned").asBoolean(),
                reasons,
                dkim,
                spf == null ? null : new SpfAuth(spf.path("domain").asText(), spf.path("scope").asText(),
                        spf.path("result").asText()));
    }

    public static String candidateJson(FailureCandidate c) {
        return JsonWriting.string(g -> {
            g.writeStartObject();
            g.writeStringField("id", c.id());
            g.writeStringField("policyDomain", c.policyDomain());
            g.writeStringField("policyRecord", c.policyRecord());
            g.writeArrayFieldStart("triggers");
            for (FailureTrigger t : FailureTrigger.values()) {
                if (c.triggers().contains(t)) {
                    g.writeString(t.name());
                }
            }
            g.writeEndArray();
            g.writeStringField("storedAt", c.storedAt().toString());
            g.writeFieldName("verdict");
            JsonWriting.verdict(g, c.verdict());
            g.writeFieldName("result");
            JsonWriting.result(g, c.result());
            g.writeEndObject();
        });
    }

    public static FailureCandidate candidate(String json) {
        JsonNode o = tree(json);
        Set<FailureTrigger> triggers = EnumSet.noneOf(FailureTrigger.class);
        for (JsonNode t : o.path("triggers")) {
            triggers.add(FailureTrigger.valueOf(t.asText()));
        }
        JsonNode v = o.path("verdict");
        Verdict verdict = new Verdict(text(v, "messageId"), text(v, "policyDomain"),
                DmarcResult.valueOf(v.path("dmarc").asText().toUpperCase(java.util.Locale.ROOT)),
                Policy.valueOf(v.path("disposition").asText().toUpperCase(java.util.Locale.ROOT)),
                v.path("dkimAligned").asBoolean(), v.path("spfAligned").asBoolean());
        List<FieldError> errors = new ArrayList<>();
        AuthenticationResult result = ResultReader.readOne(o.path("result"), null, errors);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("stored failure candidate has an unreadable result: " + errors);
        }
        return new FailureCandidate(o.path("id").asText(), o.path("policyDomain").asText(),
                o.path("policyRecord").asText(), triggers, result, verdict,
                Instant.parse(o.path("storedAt").asText()));
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("stored JSON is not readable", e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
