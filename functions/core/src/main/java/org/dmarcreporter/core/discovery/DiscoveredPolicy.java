package org.dmarcreporter.core.discovery;

import org.dmarcreporter.core.record.DmarcRecord;

/** Outcome of DMARC policy discovery for an Author Domain (RFC 9989 §4.10.1). */
public sealed interface DiscoveredPolicy {

    /**
     * @param policyDomain   where the applied record was found
     * @param atAuthorDomain the Author Domain's own record ({@code p} applies), else an inherited
     *                       one ({@code sp}/{@code np} apply)
     */
    record Found(String policyDomain, DmarcRecord record, boolean atAuthorDomain) implements DiscoveredPolicy {}

    /** A definite answer that no record applies: DMARC MUST NOT be applied. */
    record NotFound() implements DiscoveredPolicy {}

    /** A query failed transiently. */
    record TempError() implements DiscoveredPolicy {}
}
