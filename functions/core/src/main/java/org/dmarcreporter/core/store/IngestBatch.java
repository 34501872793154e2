package org.dmarcreporter.core.store;

import java.time.Instant;
import java.util.List;

/**
 * Everything one accepted request stores.
 *
 * @param idempotencyKey   the request's {@code Idempotency-Key}, or null
 * @param requestDigest    digest of the request body, kept with the key: the same key with
 *                         another body is refused ({@link IngestOutcome.KeyReused}); null without a key
 * @param response         the response body for this request, kept with the key so that a retry
 *                         gets the first answer again
 * @param results          the results to count, in request order (results that are not stored,
 *                         such as those without a DMARC policy, are already left out)
 * @param dedupeMessageIds count a {@code messageId} once ({@code dedupeMessageIds} setting)
 * @param storedAt         the server's clock when the request was accepted
 */
public record IngestBatch(
        String idempotencyKey,
        String requestDigest,
        byte[] response,
        List<StoredResult> results,
        boolean dedupeMessageIds,
        Instant storedAt) {

    public IngestBatch {
        results = List.copyOf(results);
    }

    /** A batch whose key (if any) is bound to no particular body digest; tests use it. */
    public IngestBatch(
            String idempotencyKey,
            byte[] response,
            List<StoredResult> results,
            boolean dedupeMessageIds,
            Instant storedAt) {
        this(idempotencyKey, null, response, results, dedupeMessageIds, storedAt);
    }
}
