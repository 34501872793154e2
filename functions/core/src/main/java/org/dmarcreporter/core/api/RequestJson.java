package org.dmarcreporter.core.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a request body into a tree, strictly: one JSON value, no duplicate keys, within the
 * parser's limits. Every way a body can fail becomes a {@link FieldError}, never an exception.
 */
public final class RequestJson {

    /** Jackson's defaults for nesting, numbers and names, which no result comes near. */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            // A 4 MiB body may legitimately hold one long header block.
            .maxStringLength(IngestLimits.MAX_BODY_BYTES)
            .build();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(LIMITS);
        // RFC 8259 §4 leaves duplicate names to the parser; a filter in front of us may read the
        // first value where Jackson keeps the last, so a body with duplicates is refused.
        MAPPER.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // "{...}{...}" must be refused, not stored in part.
        MAPPER.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private RequestJson() {}

    /** What {@link #parse} found: a tree, or the error to answer with. */
    public sealed interface Parsed {
        record Tree(JsonNode body) implements Parsed {}

        record Invalid(FieldError error) implements Parsed {}
    }

    public static Parsed parse(byte[] body) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            // Thrown without a location (e.getLocation() is null).
            return invalid(new FieldError(
                    null,
                    "body",
                    "exceeds the parser's limits: at most "
                            + LIMITS.getMaxNestingDepth() + " levels of nesting, " + LIMITS.getMaxNumberLength()
                            + " characters per number and " + LIMITS.getMaxNameLength() + " per field name"));
        } catch (JsonParseException e) {
            FieldError duplicate = duplicateKey(e);
            return invalid(duplicate != null ? duplicate : notJson(e));
        } catch (JsonProcessingException e) {
            return invalid(notJson(e));
        } catch (IOException e) {
            return invalid(new FieldError(null, "body", "could not be read"));
        }
        if (tree == null || tree.isMissingNode()) {
            return invalid(new FieldError(null, "body", "is empty"));
        }
        return new Parsed.Tree(tree);
    }

    private static Parsed invalid(FieldError error) {
        return new Parsed.Invalid(error);
    }

    private static FieldError notJson(JsonProcessingException e) {
        if (e.getLocation() == null) {
            return new FieldError(null, "body", "is not valid JSON");
        }
        return new FieldError(
                null,
                "body",
                "is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")");
    }

    /**
     * The duplicate key Jackson's {@code STRICT_DUPLICATE_DETECTION} found, named like other field
     * errors ({@code dkim[1].result}, with its batch index), or null for any other parse error.
     * Jackson reports it as a plain parse error whose parser context ends at the repeated name.
     */
    private static FieldError duplicateKey(JsonParseException e) {
        JsonParser parser = e.getProcessor();
        if (parser == null
                || e.getOriginalMessage() == null
                || !e.getOriginalMessage().startsWith("Duplicate field '")) {
            return null;
        }
        // From the repeated name up to the root, then written root first.
        List<JsonStreamContext> path = new ArrayList<>();
        for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            path.add(0, c);
        }
        Integer index = null;
        int first = 0;
        if (path.get(0).inArray()) {
            index = path.get(0).getCurrentIndex(); // a result of a batch
            first = 1;
            if (path.get(1).inArray()) {
                // not a result object: named as that batch entry
                return new FieldError(index, "body", "holds a key more than once in one object");
            }
        }
        StringBuilder field = new StringBuilder();
        for (int i = first; i < path.size(); i++) {
            JsonStreamContext c = path.get(i);
            if (c.inArray()) {
                field.append('[').append(c.getCurrentIndex()).append(']');
            } else {
                field.append(field.isEmpty() ? "" : ".").append(abbreviate(c.getCurrentName()));
            }
        }
        return new FieldError(index, field.toString(), "appears more than once in its object");
    }

    /** Keys may be up to the name limit long; an error names at most 64 characters of one. */
    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
