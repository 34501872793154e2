package org.dmarcreporter.core.report.mail;

import java.util.Locale;

/**
 * The names one aggregate report carries, all derived from (policy domain, window), so that a
 * report sent again for the same window has the same report id, file name, subject and
 * Message-ID (RFC 9990 §3.5.2, §3.5.4), and readers can drop the duplicate.
 *
 * @param reportId  {@code report_id}: {@code <begin>-<policy domain>@<orgName>}, RFC 9990 §3.5.1
 *                  {@code ridfmt} (dot-atom-text "@" dot-atom-text)
 * @param fileName  {@code receiver!policy-domain!begin!end.xml.gz} (RFC 9990 §3.5.2)
 * @param subject   {@code Report Domain: D Submitter: S Report-ID: R} (RFC 9990 §3.5.2)
 * @param messageId {@code <reportId>}: RFC 9990 §3.5.2 lets the Message-ID reuse the report id
 */
public record ReportNames(String reportId, String fileName, String subject, String messageId) {

    /**
     * The names of the {@code copyReportsTo} message: the same report, file name and subject, but
     * a Message-ID of its own, {@code <begin-domain.copy@orgName>}. That message has other To
     * bytes, so it is another message, and RFC 5322 §3.6.4 gives each message its own id; it is
     * derived from the same (domain, window), so a resent copy repeats it.
     */
    public ReportNames forCopy() {
        int at = reportId.lastIndexOf('@');
        return new ReportNames(
                reportId, fileName, subject, "<" + reportId.substring(0, at) + ".copy" + reportId.substring(at) + ">");
    }

    /**
     * @param orgName      our domain (the {@code orgName} setting): the receiver and submitter
     * @param policyDomain the domain the report is about
     * @param begin        first second of the window (epoch)
     * @param end          last second of the window (epoch)
     */
    public static ReportNames aggregate(String orgName, String policyDomain, long begin, long end) {
        String org = domain("orgName", orgName);
        String domain = domain("policy domain", policyDomain);
        String reportId = begin + "-" + domain + "@" + org;
        return new ReportNames(
                reportId,
                org + "!" + domain + "!" + begin + "!" + end + ".xml.gz",
                "Report Domain: " + domain + " Submitter: " + org + " Report-ID: " + reportId,
                "<" + reportId + ">");
    }

    /**
     * A domain name as it may stand in a header, a file name and a dot-atom: LDH labels (A-labels
     * for IDNs) only, so nothing from a DNS record or a setting can inject header text.
     */
    public static String domain(String what, String name) {
        String d = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 253) {
            throw new IllegalArgumentException(what + " is not a domain name: '" + name + "'");
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException(what + " is not a domain name: '" + name + "'");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    throw new IllegalArgumentException(what + " is not a domain name: '" + name + "'");
                }
            }
        }
        return d;
    }
}
