package org.dmarcreporter.core.record;

import java.util.List;
import java.util.Optional;
import org.dmarcreporter.core.model.Policy;

/**
 * A parsed, valid DMARC policy record (RFC 9989 §4.7). Tags that were absent or malformed hold
 * their defaults; {@code p} absent is {@code none}. {@code sp}/{@code np} stay empty when not
 * published, so that the fallback chain of §4.10.1 can be applied.
 *
 * @param text              the record as published (TXT strings concatenated)
 * @param policy            {@code p}
 * @param policyValid       false when {@code p}, {@code sp} or {@code np} was present but invalid
 *                          (RFC 9989 §4.10.1 then asks for p=none or no processing)
 * @param subdomainPolicy   {@code sp} when published and valid
 * @param nonExistentPolicy {@code np} when published and valid
 * @param testMode          {@code t=y}
 * @param pct               removed RFC 7489 tag, kept for the rfc7489 report format
 * @param reportFormat      removed RFC 7489 tag {@code rf}
 * @param reportInterval    removed RFC 7489 tag {@code ri} (seconds)
 */
public record DmarcRecord(
        String text,
        Policy policy,
        boolean policyValid,
        Optional<Policy> subdomainPolicy,
        Optional<Policy> nonExistentPolicy,
        AlignmentMode dkimAlignment,
        AlignmentMode spfAlignment,
        PsdFlag psd,
        boolean testMode,
        FailureOptions failureOptions,
        List<ReportUri> aggregateUris,
        List<ReportUri> failureUris,
        Optional<Integer> pct,
        Optional<String> reportFormat,
        Optional<Long> reportInterval) {

    public DmarcRecord {
        aggregateUris = List.copyOf(aggregateUris);
        failureUris = List.copyOf(failureUris);
    }

    /** The policy for a subdomain that exists: {@code sp}, else {@code p} (RFC 9989 §4.10.1). */
    public Policy existingSubdomainPolicy() {
        return subdomainPolicy.orElse(policy);
    }

    /** The policy for a subdomain that does not exist: {@code np}, else {@code sp}, else {@code p}. */
    public Policy nonExistentSubdomainPolicy() {
        return nonExistentPolicy.orElse(existingSubdomainPolicy());
    }

    /** At least one syntactically valid {@code rua} URI (RFC 9989 §4.10.1, invalid-policy rule). */
    public boolean hasAggregateUri() {
        return !aggregateUris.isEmpty();
    }
}
