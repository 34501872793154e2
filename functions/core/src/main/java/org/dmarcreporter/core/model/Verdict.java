package org.dmarcreporter.core.model;

/**
 * The answer for one result: the verdict object of {@code docs/ingest-api.md}.
 *
 * @param messageId    echoed when given
 * @param policyDomain domain whose DMARC record applied; null when none was found
 * @param disposition  what the domain owner asked for this message
 */
public record Verdict(
        String messageId,
        String policyDomain,
        DmarcResult dmarc,
        Policy disposition,
        boolean dkimAligned,
        boolean spfAligned) {
}
