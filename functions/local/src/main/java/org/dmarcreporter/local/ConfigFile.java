package org.dmarcreporter.local;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The {@code --config} file: a JSON or YAML object whose top-level keys are the reporting
 * settings of {@code docs/settings.md} ({@code orgName: example.com}, lists or comma-separated strings for
 * address lists).
 */
public final class ConfigFile {

    /** The setting keys ({@code docs/settings.md}). */
    static final Set<String> KNOWN_KEYS = Set.of(
            "sendAggregateReports",
            "sendFailureReports",
            "maxReportRecipients",
            "copyReportsTo",
            "orgName",
            "contactEmail",
            "extraContactInfo",
            "returnPath",
            "reportFormat",
            "ignoreRecipients",
            "dedupeMessageIds",
            // failure reports (docs/failure-reports.md)
            "failureReportRedaction",
            "failureReportRedactionSecret",
            "failureReportHeaders",
            "failureReportsPerDestinationPerHour",
            "failureReportsPerMinute",
            "failureReportMergeSeconds");

    /**
     * Keys of the local runtime alone: how {@code --smtp} reaches its relay ({@code docs/command-line.md}).
     * Not reporting settings, so not in AWS.
     */
    static final Set<String> SMTP_KEYS = Set.of("smtpRequireTls", "smtpUsername", "smtpPassword", "smtpTrustedHosts");

    /**
     * The {@code smtp*} keys of a config file.
     *
     * @param requireTls   refuse a relay that does not offer STARTTLS
     * @param username     AUTH user, or null
     * @param password     AUTH password, or null
     * @param trustedHosts hosts whose certificate is not checked, or null
     */
    public record SmtpConfig(boolean requireTls, String username, String password, String trustedHosts) {
        public static final SmtpConfig NONE = new SmtpConfig(false, null, null, null);

        @Override
        public String toString() {
            return "SmtpConfig[requireTls=" + requireTls + ", username=" + username + ", password="
                    + (password == null ? "none" : "***") + ", trustedHosts=" + trustedHosts + "]";
        }
    }

    /** A config file: the reporting settings and the local runtime's own keys. */
    public record LocalConfig(ReportingSettings settings, SmtpConfig smtp) {}

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFile.class);

    private ConfigFile() {}

    /**
     * Reads and checks the settings.
     *
     * @throws BadConfigException naming the file and what is wrong with it (unreadable, not an
     *                            object, a setting with a bad value)
     */
    public static ReportingSettings read(Path file) {
        return readLocal(file).settings();
    }

    /** As {@link #read}, with the {@code smtp*} keys. */
    public static LocalConfig readLocal(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadConfigException("config file " + file + " is a folder, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadConfigException("config file " + file + " does not exist");
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory()); // YAML also reads JSON
        Object parsed;
        try {
            parsed = mapper.readValue(file.toFile(), Object.class);
        } catch (JacksonException e) {
            throw new BadConfigException(
                    "config file " + file + " is not valid " + (json ? "JSON" : "YAML") + ": " + syntaxError(e));
        } catch (IOException e) {
            throw new BadConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new BadConfigException(
                    "config file " + file + " must hold an object of settings (orgName, contactEmail, ...)");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> values = (Map<String, ?>) map;
        for (String key : values.keySet()) {
            if (!KNOWN_KEYS.contains(key) && !SMTP_KEYS.contains(key)) {
                // Not fatal, so a newer file still works here, but a typo should not go unseen.
                LOG.warn("config file {}: unknown setting '{}' ignored", file, key);
            }
        }
        Map<String, Object> reporting = new java.util.LinkedHashMap<>(values);
        reporting.keySet().removeAll(SMTP_KEYS);
        SmtpConfig smtp = smtp(file, values);
        try {
            return new LocalConfig(SettingsReader.read(reporting), smtp);
        } catch (SettingsReader.InvalidSettingException e) {
            throw new BadConfigException("config file " + file + ": " + e.getMessage());
        }
    }

    private static SmtpConfig smtp(Path file, Map<String, ?> values) {
        Object tls = values.get("smtpRequireTls");
        boolean requireTls;
        if (tls == null || tls instanceof Boolean) {
            requireTls = tls != null && (Boolean) tls;
        } else if (tls instanceof String t && (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false"))) {
            requireTls = Boolean.parseBoolean(t);
        } else {
            throw new BadConfigException(
                    "config file " + file + ": setting smtpRequireTls must be true or false, not '" + tls + "'");
        }
        String user = text(file, values, "smtpUsername");
        String password = text(file, values, "smtpPassword");
        if ((user == null) != (password == null)) {
            throw new BadConfigException("config file " + file + ": smtpUsername and smtpPassword go together"
                    + " (SMTP AUTH needs both), but only " + (user == null ? "smtpPassword" : "smtpUsername")
                    + " is set");
        }
        return new SmtpConfig(requireTls, user, password, text(file, values, "smtpTrustedHosts"));
    }

    private static String text(Path file, Map<String, ?> values, String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String || v instanceof Number) || v.toString().isBlank()) {
            throw new BadConfigException("config file " + file + ": setting " + key + " must be a non-empty string");
        }
        return v.toString();
    }

    /**
     * One line: where and what. SnakeYAML's own message spans several lines with the file's text
     * and a caret; its marks give the same facts.
     */
    static String syntaxError(JacksonException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                Mark at = yaml.getProblemMark();
                String context = yaml.getContext() == null || yaml.getContextMark() == null
                        ? ""
                        : " (" + yaml.getContext() + " from line "
                                + (yaml.getContextMark().getLine() + 1) + ")";
                return "line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ": "
                        + oneLine(yaml.getProblem() + context);
            }
        }
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 1
                ? ""
                : "line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ": ";
        return where + oneLine(e.getOriginalMessage());
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** A config file we cannot use. */
    public static final class BadConfigException extends IllegalArgumentException {
        public BadConfigException(String message) {
            super(message);
        }
    }
}
