package org.dmarcreporter.core.address;

import java.util.List;

/** The Author Domain(s) found in an RFC5322.From header field value (RFC 9989 §5.3.1). */
public sealed interface AuthorDomains {

    /** Every address has this domain (normalised, see {@link DomainNames#normalize(String)}). */
    record Single(String domain) implements AuthorDomains {}

    /**
     * The addresses have several distinct domains, in order of first appearance. RFC 9989 §5.3.1:
     * such messages MUST be exempt from DMARC checking.
     */
    record Multiple(List<String> domains) implements AuthorDomains {
        public Multiple {
            domains = List.copyOf(domains);
        }
    }

    /** No usable domain: no address, an address without a domain, a bad domain or bad syntax. */
    record Invalid(String reason) implements AuthorDomains {}
}
