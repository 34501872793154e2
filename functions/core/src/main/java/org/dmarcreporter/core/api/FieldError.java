package org.dmarcreporter.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One problem with a request: which field, and for a batch which result.
 *
 * @param index   the result's position in a batch, or null for a single object or the request itself
 * @param field   the field's name as {@code docs/ingest-api.md} writes it ({@code dkim[1].result} for nested ones)
 * @param message what is wrong, for a person ({@code detail} in the problem document)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"field", "index", "pointer", "detail"})
public record FieldError(
        Integer index, String field, @JsonProperty("detail") String message) {

    /** RFC 6901 JSON Pointer to the field, e.g. {@code /3/dkim/1/result}. */
    @JsonProperty("pointer")
    public String pointer() {
        StringBuilder b = new StringBuilder();
        if (index != null) {
            b.append('/').append(index);
        }
        if (field.equals("body") || field.equals("Idempotency-Key") || field.equals("Content-Type")) {
            return b.toString();
        }
        for (String part : field.split("[.\\[]")) {
            b.append('/').append(part.endsWith("]") ? part.substring(0, part.length() - 1) : part);
        }
        return b.toString();
    }
}
