package org.dmarcreporter.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * The JSON that every store keeps for report rows and failure candidates, so that DynamoDB and
 * the local SQLite store hold the same bytes and the report functions read either the same way.
 * The shape is the records' own (their Jackson annotations); records already stored must stay
 * readable, so field names do not change (see the fixtures under {@code src/test/resources/stored-json}).
 *
 * <p>Reading is strict about what the records need: a required field (annotated
 * {@code @JsonProperty(required = true)}, and {@code @JsonSetter(nulls = FAIL)} unless primitive)
 * that is missing or null, a value of the wrong type or an unknown token is an
 * {@link UnreadableRecordException} naming the field; an optional field that is absent or null
 * reads as null. Unknown fields are ignored, so a store rolled back
 * to an older version still reads what a newer one wrote.
 */
public final class StoredJson {

    private static final ObjectReader ROW = reader(AggregateRow.class);
    private static final RowCodec ROW_CODEC = new RowCodec(JsonWriting.MAPPER.getFactory());
    private static final ObjectReader CANDIDATE = reader(FailureCandidate.class);

    private StoredJson() {}

    /** The same bytes as databind would write for the record (see {@link RowCodec}). */
    public static String rowJson(AggregateRow row) {
        return ROW_CODEC.write(row);
    }

    public static AggregateRow row(String json) {
        AggregateRow row = ROW_CODEC.readOrNull(json);
        // Anything but the plain shape is read by databind, so its errors and coercions stay the same.
        return row != null ? row : read(ROW, json, "aggregate row");
    }

    public static String candidateJson(FailureCandidate candidate) {
        return JsonWriting.string(candidate);
    }

    public static FailureCandidate candidate(String json) {
        return read(CANDIDATE, json, "failure candidate");
    }

    private static ObjectReader reader(Class<?> type) {
        return JsonWriting.MAPPER
                .readerFor(type)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static <T> T read(ObjectReader reader, String json, String what) {
        try {
            T value = reader.readValue(json);
            if (value == null) {
                throw new UnreadableRecordException("stored " + what + " is JSON null");
            }
            return value;
        } catch (JsonMappingException e) {
            throw new UnreadableRecordException(
                    "stored " + what + " is unreadable at " + pointer(e) + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            // The message names the position only: a candidate holds mail headers, keep them out of logs.
            throw new UnreadableRecordException(
                    "stored " + what + " is not JSON"
                            + (e.getLocation() == null
                                    ? ""
                                    : " (column " + e.getLocation().getColumnNr() + ")"),
                    e);
        }
    }

    /** RFC 6901 JSON Pointer to where reading failed, e.g. {@code /result/dkim/0}; "the top level" for the whole value. */
    private static String pointer(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            b.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
        }
        return b.length() == 0 ? "the top level" : b.toString();
    }

    /** A stored record that cannot be turned back into its Java record; the message names the field. */
    public static final class UnreadableRecordException extends IllegalArgumentException {
        UnreadableRecordException(String message) {
            super(message);
        }

        UnreadableRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
