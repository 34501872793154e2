package org.dmarcreporter.core.report.xml;

import java.util.List;
import java.util.Objects;

/**
 * The {@code report_metadata} of one aggregate report (RFC 9990 §3.1.1.3).
 *
 * @param orgName          the reporting organization ({@code orgName} setting)
 * @param contactEmails    {@code contactEmail} addresses; the schema allows one {@code email}
 *                         element, so several are written comma-separated in it
 * @param extraContactInfo optional, or null
 * @param reportId         unique per policy domain and window (RFC 9990 §3.5.1 {@code ridfmt})
 * @param begin            first second of the reporting window, epoch seconds (§3.1.1.4)
 * @param end              last second of the reporting window, epoch seconds
 * @param generator        name and version of this software (RFC 9990 only)
 * @param error            a problem with the domain's DMARC record (§3.1.5), or null
 */
public record ReportMetadata(
        String orgName,
        List<String> contactEmails,
        String extraContactInfo,
        String reportId,
        long begin,
        long end,
        String generator,
        String error) {

    public ReportMetadata {
        Objects.requireNonNull(orgName, "orgName");
        Objects.requireNonNull(reportId, "reportId");
        contactEmails = List.copyOf(contactEmails);
        if (contactEmails.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one contact email (RFC 9990 §3.1.1.3)");
        }
        if (end < begin) {
            throw new IllegalArgumentException("date range ends before it begins: " + begin + ".." + end);
        }
    }
}
