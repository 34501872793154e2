/**
 * The DNS port ({@link DnsResolver}: TXT records and name existence) and its
 * implementations: the network through dnsjava with a TTL-honouring cache, and RFC 1035 master files.
 */
package org.dmarcreporter.core.dns;
