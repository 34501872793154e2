/**
 * Which failure reports one candidate becomes, and to whom (RFC 9991 §2-3, RFC 6651, RFC 6652):
 * the DMARC report to the verified {@code ruf} addresses and {@code copyReportsTo}, the
 * {@code fo=s}/{@code fo=d} mechanism reports to {@code ruf}, and the RFC 6652/6651 reports to
 * {@code ra=} addresses, sampled at {@code rp}. Sending, rate limits and merging are not here.
 */
package org.dmarcreporter.core.report.routing;
