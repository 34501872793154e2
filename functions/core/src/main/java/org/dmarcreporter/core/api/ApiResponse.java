package org.dmarcreporter.core.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the edge sends back: status, Content-Type, body bytes and any further headers (such as
 * {@code Retry-After} on 503), which every edge copies to its HTTP response as they are.
 */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public ApiResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
