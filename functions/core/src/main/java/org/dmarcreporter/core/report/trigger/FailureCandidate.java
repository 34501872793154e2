package org.dmarcreporter.core.report.trigger;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
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
@JsonPropertyOrder({"id", "policyDomain", "policyRecord", "triggers", "storedAt", "verdict", "result"})
public record FailureCandidate(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) String id,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) String policyDomain,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) String policyRecord,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) Set<FailureTrigger> triggers,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) AuthenticationResult result,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) Verdict verdict,
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) Instant storedAt) {

    public FailureCandidate {
        // In declaration order, so that the stored JSON lists them the same way every time.
        EnumSet<FailureTrigger> ordered = EnumSet.noneOf(FailureTrigger.class);
        ordered.addAll(triggers);
        triggers = Collections.unmodifiableSet(ordered);
    }
}
