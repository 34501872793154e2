package org.dmarcreporter.core.settings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.report.mail.ReportNames;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;

/**
 * Builds {@link ReportingSettings} from key/value pairs (keys of {@code docs/settings.md}), applying defaults and
 * rejecting bad values with a message that names the key.
 */
public final class SettingsReader {

    private SettingsReader() {}

    /**
     * Reads settings from text values (environment variables, template parameters); {@code lookup}
     * answers null for keys that are not set. Address lists are comma-separated there.
     */
    public static ReportingSettings read(Function<String, String> lookup) {
        return read(new Source() {
            @Override
            public String text(String key) {
                return lookup.apply(key);
            }

            @Override
            public List<String> list(String key) {
                return split(lookup.apply(key));
            }
        });
    }

    /**
     * Reads settings from a parsed JSON/YAML object whose values are strings, numbers, booleans or,
     * for the address lists, lists of strings. A list is taken as it is (an address may contain a
     * comma); a string for a list key is still split at commas, as in the environment.
     */
    public static ReportingSettings read(Map<String, ?> values) {
        return read(new Source() {
            @Override
            public String text(String key) {
                Object v = values.get(key);
                if (v instanceof List<?> || v instanceof Map<?, ?>) {
                    throw new InvalidSettingException(key, "must be a single value, not a list or an object");
                }
                return v == null ? null : String.valueOf(v);
            }

            @Override
            public List<String> list(String key) {
                Object v = values.get(key);
                if (v instanceof List<?> items) {
                    return elements(key, items);
                }
                if (v instanceof Map<?, ?>) {
                    throw new InvalidSettingException(key, "must be a list of addresses, not an object");
                }
                return split(v == null ? null : String.valueOf(v));
            }
        });
    }

    /** Where the values come from: text for single values, lists for the address lists. */
    private interface Source {
        String text(String key);

        List<String> list(String key);
    }

    private static ReportingSettings read(Source source) {
        Function<String, String> lookup = source::text;
        String orgName = trimToNull(lookup.apply("orgName"));
        if (orgName == null) {
            throw new InvalidSettingException("orgName", "is required: the domain reports are sent from");
        }
        orgName = orgName.toLowerCase(Locale.ROOT);
        // Report mail puts orgName in From, Message-ID and Subject: what sending would refuse
        // (a non-LDH name, CR/LF) is refused here, at start-up, naming the setting.
        try {
            orgName = ReportNames.domain("orgName", orgName);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(
                    "orgName", "must be a domain name (LDH labels), not '" + MailAddresses.printable(orgName) + "'");
        }
        List<String> contact = source.list("contactEmail");
        if (contact.isEmpty()) {
            throw new InvalidSettingException("contactEmail", "is required: at least one contact address");
        }
        String returnPath = trimToNull(lookup.apply("returnPath"));
        List<String> copies = source.list("copyReportsTo");
        for (String copy : copies) {
            mailAddress("copyReportsTo", copy);
        }
        return new ReportingSettings(
                bool(lookup, "sendAggregateReports", true),
                bool(lookup, "sendFailureReports", true),
                nonNegativeInt(lookup, "maxReportRecipients", 0),
                copies,
                orgName,
                contact,
                trimToNull(lookup.apply("extraContactInfo")),
                returnPath == null ? "noreply@" + orgName : mailAddress("returnPath", returnPath),
                format(lookup.apply("reportFormat")),
                new LinkedHashSet<>(source.list("ignoreRecipients").stream()
                        .map(ReportingSettings::normalizeAddress)
                        .toList()),
                bool(lookup, "dedupeMessageIds", true),
                failureReports(lookup));
    }

    private static FailureReportSettings failureReports(Function<String, String> lookup) {
        String headers = trimToNull(lookup.apply("failureReportHeaders"));
        FailureReportSettings.Headers scope;
        if (headers == null || headers.equalsIgnoreCase("all")) {
            scope = FailureReportSettings.Headers.ALL;
        } else if (headers.equalsIgnoreCase("essential")) {
            scope = FailureReportSettings.Headers.ESSENTIAL;
        } else {
            throw new InvalidSettingException(
                    "failureReportHeaders", "must be all or essential, not '" + headers + "'");
        }
        int merge = nonNegativeInt(lookup, "failureReportMergeSeconds", FailureReportSettings.DEFAULT_MERGE_SECONDS);
        if (merge > FailureReportSettings.MAX_MERGE_SECONDS) {
            throw new InvalidSettingException(
                    "failureReportMergeSeconds",
                    "must be a number of seconds (not minutes) from 0 to " + FailureReportSettings.MAX_MERGE_SECONDS
                            + ", not '" + merge + "'");
        }
        // The secret is not trimmed: spaces may be part of it. Only an empty value counts as unset.
        String secret = lookup.apply("failureReportRedactionSecret");
        if (secret != null && secret.isEmpty()) {
            secret = null;
        }
        if (secret != null
                && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        < FailureReportSettings.MIN_SECRET_BYTES) {
            throw new InvalidSettingException(
                    "failureReportRedactionSecret",
                    "must be at least " + FailureReportSettings.MIN_SECRET_BYTES + " bytes long, not "
                            + secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        return new FailureReportSettings(
                bool(lookup, "failureReportRedaction", true),
                secret,
                scope,
                nonNegativeInt(
                        lookup,
                        "failureReportsPerDestinationPerHour",
                        FailureReportSettings.DEFAULT_PER_DESTINATION_PER_HOUR),
                nonNegativeInt(lookup, "failureReportsPerMinute", FailureReportSettings.DEFAULT_PER_MINUTE),
                merge);
    }

    /** The entries of a YAML/JSON list, trimmed; each must be non-empty text. */
    private static List<String> elements(String key, List<?> items) {
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            String name = key + "[" + i + "]";
            if (!(item instanceof String text)) {
                throw new InvalidSettingException(
                        name, item == null ? "is empty" : "must be an address (text), not '" + item + "'");
            }
            String t = text.trim();
            if (t.isEmpty()) {
                throw new InvalidSettingException(name, "is empty");
            }
            out.add(t);
        }
        return out;
    }

    /**
     * An address that goes into a header or an SMTP command ({@code copyReportsTo}, {@code
     * returnPath}): one that {@link MailAddresses} would refuse at every send (CR/LF, spaces, a
     * comma or brackets, even quoted, RFC 5321 §4.1.2) is refused now instead.
     */
    private static String mailAddress(String key, String address) {
        try {
            return MailAddresses.requireValid(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, "cannot be used to send mail: " + e.getMessage());
        }
    }

    private static boolean bool(Function<String, String> lookup, String key, boolean dflt) {
        String v = trimToNull(lookup.apply(key));
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key, "must be true or false, not '" + v + "'");
        };
    }

    private static int nonNegativeInt(Function<String, String> lookup, String key, int dflt) {
        String v = trimToNull(lookup.apply(key));
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new InvalidSettingException(key, "must be a whole number of 0 or more, not '" + v + "'");
    }

    private static ReportFormat format(String value) {
        String v = trimToNull(value);
        if (v == null || v.equals("rfc9990")) {
            return ReportFormat.RFC9990;
        }
        if (v.equals("rfc7489")) {
            return ReportFormat.RFC7489;
        }
        throw new InvalidSettingException("reportFormat", "must be rfc9990 or rfc7489, not '" + v + "'");
    }

    /** A comma-separated list; empty parts are skipped. */
    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                String p = part.trim();
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }

    /** A setting with a value we cannot use; the message names the key. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private final String key;

        public InvalidSettingException(String key, String problem) {
            super("setting " + key + " " + problem);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
