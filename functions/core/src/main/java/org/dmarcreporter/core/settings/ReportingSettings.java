package org.dmarcreporter.core.settings;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The reporting settings ({@code docs/settings.md}): SAM template parameters in AWS (read from environment
 * variables), keys of the {@code --config} file locally. Use {@link SettingsReader} to build one
 * from either source with the documented defaults and validation.
 */
public record ReportingSettings(
        boolean sendAggregateReports,
        boolean sendFailureReports,
        int maxReportRecipients,
        List<String> copyReportsTo,
        String orgName,
        List<String> contactEmail,
        String extraContactInfo,
        String returnPath,
        ReportFormat reportFormat,
        Set<String> ignoreRecipients,
        boolean dedupeMessageIds,
        FailureReportSettings failureReports) {

    public ReportingSettings {
        if (failureReports == null) {
            failureReports = FailureReportSettings.DEFAULTS;
        }
        copyReportsTo = List.copyOf(copyReportsTo);
        contactEmail = List.copyOf(contactEmail);
        ignoreRecipients = Set.copyOf(ignoreRecipients);
    }

    /** True when every recipient is one of our own report mailboxes (loop prevention). */
    public boolean onlyIgnoredRecipients(List<String> envelopeTo) {
        if (envelopeTo.isEmpty() || ignoreRecipients.isEmpty()) {
            return false;
        }
        for (String to : envelopeTo) {
            if (!ignoreRecipients.contains(normalizeAddress(to))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code returnPath}'s domain is {@code orgName} or a name under it. Report mail is
     * {@code From: noreply@<orgName>} and must pass DMARC with alignment (RFC 9990 §3.5.2); SPF
     * is checked for the envelope sender's domain, so with a returnPath elsewhere only a DKIM
     * signature for orgName's domain can align (docs/mail.md). A returnPath under another name of
     * the same Organizational Domain may still align relaxed; this check needs no DNS and says no.
     */
    public boolean returnPathUnderOrgName() {
        String domain = returnPath.substring(returnPath.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        return domain.equals(orgName) || domain.endsWith("." + orgName);
    }

    /** Addresses compare case-insensitively, without surrounding angle brackets or spaces. */
    public static String normalizeAddress(String address) {
        String a = address.trim();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1).trim();
        }
        return a.toLowerCase(Locale.ROOT);
    }

    public enum ReportFormat {
        RFC9990,
        RFC7489
    }
}
