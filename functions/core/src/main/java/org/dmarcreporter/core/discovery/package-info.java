/**
 * DMARC policy discovery (RFC 9989 §4.10): the DNS Tree Walk, the {@code _dmarc} record lookups
 * with their per-message memo, the policy that applies to an Author Domain and the Organizational Domain.
 */
package org.dmarcreporter.core.discovery;
