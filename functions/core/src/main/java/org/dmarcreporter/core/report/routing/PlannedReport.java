package org.dmarcreporter.core.report.routing;

import org.dmarcreporter.core.report.arf.FeedbackReport;

/**
 * One report to one recipient; {@link org.dmarcreporter.core.report.arf.ArfMessage#compose} makes the mail.
 *
 * @param route why this recipient gets it
 */
public record PlannedReport(FeedbackReport report, String recipient, Route route) {

    /** Why a recipient gets a report. */
    public enum Route {
        /** A {@code ruf} address of the DMARC record (verified when external, RFC 9991 §5). */
        RUF,
        /** {@code copyReportsTo}: DMARC failure reports ({@code fo=0}/{@code fo=1}) only. */
        COPY,
        /** RFC 6652: {@code ra=} of the SPF record of the domain SPF checked. */
        SPF_RA,
        /** RFC 6651: {@code ra=} of {@code _report._domainkey.<d=>} of a signature with {@code r=y}. */
        DKIM_RA
    }
}
