package org.dmarcreporter.core.report.trigger;

import java.time.Instant;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.Verdict;

/**
 * A message whose domain asked for failure reports ({@code ruf}) and whose outcome matched its
 * {@code fo} tag: the failure function turns each into reports.
 *
 * @param id           stable for the same message, so a retried write creates nothing new
 * @param policyRecord the DMARC record that applied (its {@code ruf} says where reports go)
 * @param triggers     the {@code fo} options that matched
 * @param result       the result as posted (headers included)
 * @param verdict      the verdict we answered
 * @param storedAt     when it was accepted
 */
public record FailureCandidate(
        String id,
        String policyDomain,
        String policyRecord,
        Set<FailureTrigger> triggers,
        AuthenticationResult result,
        Verdict verdict,
        Instant storedAt) {

    public FailureCandidate {
        triggers = Set.copyOf(triggers);
    }
}
