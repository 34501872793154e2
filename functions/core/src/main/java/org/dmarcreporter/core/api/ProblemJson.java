package org.dmarcreporter.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.dmarcreporter.core.codec.JsonWriting;

/**
 * {@code application/problem+json} answers (RFC 9457). Field errors are listed under
 * {@code errors}, each with the field's name, its batch index and a JSON Pointer.
 */
public final class ProblemJson {

    public static final String CONTENT_TYPE = "application/problem+json";

    private ProblemJson() {
    }

    public static ApiResponse invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? describe(errors.get(0)) : errors.size() + " fields are invalid";
        return problem(400, "Invalid request", detail, errors);
    }

    /** 413 for a body over {@link IngestLimits#MAX_BODY_BYTES}; every edge answers it the same way. */
    public static ApiResponse tooLarge() {
        return of(413, "Content Too Large", "the body is limited to " + IngestLimits.MAX_BODY_BYTES
                + " bytes; send fewer results per request");
    }

    public static ApiResponse of(int status, String title, String detail) {
        return problem(status, title, detail, List.of());
    }

    private static String describe(FieldError e) {
        return (e.index() == null ? "" : "result " + e.index() + ": ") + e.field() + " " + e.message();
    }

    private static ApiResponse problem(int status, String title, String detail, List<FieldError> errors) {
        return new ApiResponse(status, CONTENT_TYPE,
                JsonWriting.bytes(new Document("about:blank", title, status, detail, errors)));
    }

    /** The RFC 9457 members we send, in this order; {@code errors} only when there are any. */
    @JsonPropertyOrder({"type", "title", "status", "detail", "errors"})
    record Document(String type, String title, int status, String detail,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> errors) {
    }
}
