package org.dmarcreporter.ingest;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** API Gateway HTTP API (payload 2.0) events for {@code POST /v1/results}, as the handler gets them. */
final class HttpApiEvents {

    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;
    private boolean base64;

    private HttpApiEvents(String body) {
        this.body = body;
        headers.put("content-type", "application/json");
    }

    static HttpApiEvents post(String body) {
        return new HttpApiEvents(body);
    }

    /** Adds a header as given (API Gateway lower-cases names; other callers may not). */
    HttpApiEvents header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    HttpApiEvents withoutHeader(String name) {
        headers.remove(name);
        return this;
    }

    /** The body base64-encoded, as API Gateway sends binary or non-text content types. */
    HttpApiEvents base64() {
        body = Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8));
        base64 = true;
        return this;
    }

    APIGatewayV2HTTPEvent build() {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("POST /v1/results")
                .withRawPath("/v1/results")
                .withHeaders(Map.copyOf(headers))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRouteKey("POST /v1/results")
                        .withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("POST")
                                .withPath("/v1/results")
                                .withProtocol("HTTP/1.1")
                                .withSourceIp("192.0.2.200")
                                .build())
                        .build())
                .build();
    }
}
