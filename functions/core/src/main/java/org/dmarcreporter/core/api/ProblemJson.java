package org.dmarcreporter.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.codec.JsonWriting;

/**
 * {@code application/problem+json} answers (RFC 9457). Field errors are listed under
 * {@code errors}, each with the field's name, its batch index and a JSON Pointer.
 */
public final class ProblemJson {

    public static final String CONTENT_TYPE = "application/problem+json";

    private ProblemJson() {}

    public static ApiResponse invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? describe(errors.get(0)) : errors.size() + " fields are invalid";
        return problem(400, "Invalid request", detail, errors);
    }

    /** 413 for a body over {@link IngestLimits#MAX_BODY_BYTES}; every edge answers it the same way. */
    public static ApiResponse tooLarge() {
        return of(
                413,
                "Content Too Large",
                "the body is limited to " + IngestLimits.MAX_BODY_BYTES + " bytes; send fewer results per request");
    }

    /**
     * 503: the store cannot take the request now. {@code Retry-After: 1} (RFC 9110 §10.2.3), which
     * every edge sends as it sends the other headers of an {@link ApiResponse}.
     */
    public static ApiResponse unavailable(String detail) {
        ApiResponse r = of(503, "Try again", detail);
        return new ApiResponse(r.status(), r.contentType(), r.body(), Map.of("Retry-After", "1"));
    }

    /** 422: the Idempotency-Key was used before with a different body (nothing of this one is stored). */
    public static ApiResponse keyReused() {
        return of(
                422,
                "Idempotency-Key reused",
                "this Idempotency-Key was used before for a request with a "
                        + "different body; nothing of this request was stored: send each new request with a new key");
    }

    public static ApiResponse of(int status, String title, String detail) {
        return problem(status, title, detail, List.of());
    }

    private static String describe(FieldError e) {
        return (e.index() == null ? "" : "result " + e.index() + ": ") + e.field() + " " + e.message();
    }

    private static ApiResponse problem(int status, String title, String detail, List<FieldError> errors) {
        return new ApiResponse(
                status, CONTENT_TYPE, JsonWriting.bytes(new Document("about:blank", title, status, detail, errors)));
    }

    /** The RFC 9457 members we send, in this order; {@code errors} only when there are any. */
    @JsonPropertyOrder({"type", "title", "status", "detail", "errors"})
    record Document(
            String type,
            String title,
            int status,
            String detail,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> errors) {}
}
