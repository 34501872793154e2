/**
 * Reading the identifiers a result carries: the Author Domain(s) of an RFC5322.From value, the
 * RFC5321.MailFrom domain, domain names as DMARC compares them (A-labels) and IP address literals.
 */
package org.dmarcreporter.core.address;
