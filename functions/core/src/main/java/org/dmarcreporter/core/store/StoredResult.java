package org.dmarcreporter.core.store;

import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * What one result adds to the store.
 *
 * @param messageId        for de-duplication, or null
 * @param window           the policy domain and reporting window it counts in
 * @param row              the aggregate-report row it adds one to
 * @param policyRecord     the DMARC record as published, kept per domain and window for
 *                         {@code policy_published} (the last one seen wins, RFC 9990 §3.1)
 * @param failureCandidate a failure report to send, or null
 * @param requestIndex     the result's position in its request (0 for a single object), so that a
 *                         retried request can be matched result by result with what was stored
 */
public record StoredResult(
        String messageId,
        ReportingWindow window,
        AggregateRow row,
        String policyRecord,
        FailureCandidate failureCandidate,
        int requestIndex) {}
