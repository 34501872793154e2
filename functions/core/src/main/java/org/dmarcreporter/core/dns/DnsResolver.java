package org.dmarcreporter.core.dns;

/**
 * The DNS questions DMARC asks. Implementations: {@link CachingDnsResolver} (network, through
 * dnsjava, TTL-honouring cache) and {@link ZoneFileResolver} (RFC 1035 master files, for tests and
 * the local runtime's {@code --zone-file}). Implementations never throw for DNS failures: they
 * answer {@link DnsStatus#TEMPFAIL}.
 */
public interface DnsResolver {

    /**
     * TXT records at {@code name} (absolute or relative to the root, without trailing dot is fine).
     * Each element is one TXT record with its character-strings concatenated in order
     * (RFC 9989 §4.5).
     */
    TxtAnswer txt(String name);

    /**
     * Whether {@code name} exists in the DNS: {@link DnsStatus#NXDOMAIN} when it does not
     * (RFC 8020), {@link DnsStatus#NOERROR} when it does (with or without records of any type).
     */
    DnsStatus exists(String name);
}
