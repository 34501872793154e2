package org.dmarcreporter.core.report.xml;

import java.util.Objects;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.record.DmarcRecord;

/**
 * The {@code policy_published} of one report: the record that applied to the policy domain, with
 * defaults for tags that were not published (RFC 9990 §3.1.1.5).
 *
 * @param domain the DMARC Policy Domain (where the record was found)
 * @param sp     {@code sp} as it applies: published, else {@code p}
 * @param np     {@code np} as it applies: published, else {@code sp}, else {@code p}
 * @param fo     {@code fo} as published, {@code 0} when absent or malformed
 * @param pct    RFC 7489's {@code pct}, for the rfc7489 format only; 100 when not published
 */
public record PublishedPolicy(
        String domain,
        Policy p,
        Policy sp,
        Policy np,
        AlignmentMode adkim,
        AlignmentMode aspf,
        String fo,
        boolean testing,
        int pct) {

    public PublishedPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(p, "p");
    }

    /**
     * The policy as a report states it, from the record that applied to {@code policyDomain}. A
     * record with an invalid {@code p}, {@code sp} or {@code np} was applied as {@code p=none}
     * (RFC 9989 §4.10.1), so that is what the report says, in line with its rows; the report's
     * {@code error} says what was published.
     */
    public static PublishedPolicy of(String policyDomain, DmarcRecord record) {
        boolean valid = record.policyValid();
        return new PublishedPolicy(
                policyDomain,
                valid ? record.policy() : Policy.NONE,
                valid ? record.existingSubdomainPolicy() : Policy.NONE,
                valid ? record.nonExistentSubdomainPolicy() : Policy.NONE,
                record.dkimAlignment(),
                record.spfAlignment(),
                record.failureOptions().text(),
                record.testMode(),
                record.pct().orElse(100));
    }
}
