package org.dmarcreporter.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Writes the core's records as JSON: verdicts and problem documents for answers, rows and failure
 * candidates for the stores ({@link StoredJson}). The records say their own shape with Jackson
 * annotations (field order, left-out optional fields, enum tokens via {@code @JsonValue}); this
 * class only turns them into bytes. A mapper is costly to build and safe to share across threads,
 * so there is one for the whole process.
 */
public final class JsonWriting {

    /** Instants as ISO-8601 text ({@code 2026-11-27T09:00:00Z}, the same as {@code Instant.toString()}). */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writer();

    private JsonWriting() {}

    /** The UTF-8 JSON of an annotated record (or a list of them). */
    public static byte[] bytes(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Only a record without a JSON shape can fail here: a programming error.
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    public static String string(Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }
}
