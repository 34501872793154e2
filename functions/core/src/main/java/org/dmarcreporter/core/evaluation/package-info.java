/**
 * DMARC evaluation of one message (RFC 9989 §5.3): Author Domain, applied policy, identifier
 * alignment and disposition, with everything the aggregate and failure reports need from it.
 */
package org.dmarcreporter.core.evaluation;
