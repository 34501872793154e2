package org.dmarcreporter.core.store;

import java.time.Instant;
import java.util.List;

/**
 * Everything one accepted request stores.
 *
 * @param idempotencyKey   the request's {@code Idempotency-Key}, or null
 * @param response         the response body for this request, kept with the key so that a retry
 *                         gets the first answer again
 * @param results          the results to count, in request order (results that are not stored,
 *                         such as those without a DMARC policy, are already left out)
 * @param dedupeMessageIds count a {@code messageId} once ({@code dedupeMessageIds} setting)
 * @param storedAt         the server's clock when the request was accepted
 */
public record IngestBatch(
        String idempotencyKey,
        byte[] response,
        List<StoredResult> results,
        boolean dedupeMessageIds,
        Instant storedAt) {

    public IngestBatch {
        results = List.copyOf(results);
    }
}
