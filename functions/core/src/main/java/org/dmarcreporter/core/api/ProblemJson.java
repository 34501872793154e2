package org.dmarcreporter.core.api;

import org.dmarcreporter.core.codec.JsonWriting;
import java.util.List;
import java.util.Map;

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
        return of(422, "Idempotency-Key reused", "this Idempotency-Key was used before for a request with a "
                + "different body; nothing of this request was stored: send each new request with a new key");
    }

    public static ApiResponse of(int status, String title, String detail) {
        return problem(status, title, detail, List.of());
    }

    private static String describe(FieldError e) {
        return (e.index() == null ? "" : "result " + e.index() + ": ") + e.field() + " " + e.message();
    }

    private static ApiResponse problem(int status, String title, String detail, List<FieldError> errors) {
        byte[] body = JsonWriting.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "about:blank");
            g.writeStringField("title", title);
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail);
            if (!errors.isEmpty()) {
                g.writeArrayFieldStart("errors");
                for (FieldError e : errors) {
                    g.writeStartObject();
                    g.writeStringField("field", e.field());
                    if (e.index() != null) {
                        g.writeNumberField("index", e.index());
                    }
                    g.writeStringField("pointer", e.pointer());
                    g.writeStringField("detail", e.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
        return new ApiResponse(status, CONTENT_TYPE, body);
    }
}
