package org.dmarcreporter.core.settings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;

/**
 * Builds {@link ReportingSettings} from key/value pairs (keys of {@code docs/settings.md}), applying defaults and
 * rejecting bad values with a message that names the key.
 */
public final class SettingsReader {

    private SettingsReader() {
    }

    /** Reads settings; {@code lookup} answers null for keys that are not set. */
    public static ReportingSettings read(Function<String, String> lookup) {
        String orgName = trimToNull(lookup.apply("orgName"));
        if (orgName == null) {
            throw new InvalidSettingException("orgName", "is required: the domain reports are sent from");
        }
        orgName = orgName.toLowerCase(Locale.ROOT);
        List<String> contact = list(lookup.apply("contactEmail"));
        if (contact.isEmpty()) {
            throw new InvalidSettingException("contactEmail", "is required: at least one contact address");
        }
        String returnPath = trimToNull(lookup.apply("returnPath"));
        return new ReportingSettings(
                bool(lookup, "sendAggregateReports", true),
                bool(lookup, "sendFailureReports", true),
                nonNegativeInt(lookup, "maxReportRecipients", 0),
                list(lookup.apply("copyReportsTo")),
                orgName,
                contact,
                trimToNull(lookup.apply("extraContactInfo")),
                returnPath == null ? "noreply@" + orgName : returnPath,
                format(lookup.apply("reportFormat")),
                new LinkedHashSet<>(list(lookup.apply("ignoreRecipients")).stream()
                        .map(ReportingSettings::normalizeAddress).toList()),
                bool(lookup, "dedupeMessageIds", true));
    }

    /** Reads settings from a parsed JSON/YAML object whose values are strings, numbers, booleans or lists. */
    public static ReportingSettings read(Map<String, ?> values) {
        return read(key -> {
            Object v = values.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof List<?> l) {
                return String.join(",", l.stream().map(String::valueOf).toList());
            }
            return String.valueOf(v);
        });
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

    private static List<String> list(String value) {
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
