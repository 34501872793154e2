package org.dmarcreporter.core.api;

/**
 * A {@code POST /v1/results} request as both edges (API Gateway, the local HTTP server) see it.
 *
 * @param body           the raw body bytes (already limited to {@link IngestLimits#MAX_BODY_BYTES} by the edge)
 * @param contentType    the Content-Type header, or null
 * @param idempotencyKey the Idempotency-Key header, or null
 */
public record ApiRequest(byte[] body, String contentType, String idempotencyKey) {}
