/**
 * What an aggregate report counts (RFC 9990 §3.1.1): a distinct row (all a {@code record} says
 * but its count) with its DKIM and SPF auth results, reported disposition and override reasons.
 */
package org.dmarcreporter.core.report.row;
