package org.dmarcreporter.core.ingest;

import java.nio.charset.StandardCharsets;

/** What the edge sends back: status, Content-Type and body bytes. */
public record ApiResponse(int status, String contentType, byte[] body) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
