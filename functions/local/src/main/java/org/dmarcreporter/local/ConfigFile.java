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

/**
 * The {@code --config} file: a JSON or YAML object whose top-level keys are the reporting
 * settings of {@code docs/settings.md} ({@code orgName: example.com}, lists or comma-separated strings for
 * address lists).
 */
public final class ConfigFile {

    /** The setting keys ({@code docs/settings.md}). */
    static final Set<String> KNOWN_KEYS = Set.of("sendAggregateReports", "sendFailureReports",
            "maxReportRecipients", "copyReportsTo", "orgName", "contactEmail", "extraContactInfo",
            "returnPath", "reportFormat", "ignoreRecipients", "dedupeMessageIds");

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFile.class);

    private ConfigFile() {
    }

    /**
     * Reads and checks the settings.
     *
     * @throws BadConfigException naming the file and what is wrong with it (unreadable, not an
     *                            object, a setting with a bad value)
     */
    public static ReportingSettings read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadConfigException("config file " + file + " does not exist");
        }
        ObjectMapper mapper = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
                ? new ObjectMapper()
                : new ObjectMapper(new YAMLFactory()); // YAML, which also reads JSON
        Object parsed;
        try {
            parsed = mapper.readValue(file.toFile(), Object.class);
        } catch (JacksonException e) {
            throw new BadConfigException("config file " + file + " is not valid JSON or YAML: "
                    + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new BadConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new BadConfigException("config file " + file
                    + " must hold an object of settings (orgName, contactEmail, ...)");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> values = (Map<String, ?>) map;
        for (String key : values.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                // Not fatal, so a newer file still works here, but a typo should not go unseen.
                LOG.warn("config file {}: unknown setting '{}' ignored", file, key);
            }
        }
        try {
            return SettingsReader.read(values);
        } catch (SettingsReader.InvalidSettingException e) {
            throw new BadConfigException("config file " + file + ": " + e.getMessage());
        }
    }

    /** A config file we cannot use. */
    public static final class BadConfigException extends IllegalArgumentException {
        public BadConfigException(String message) {
            super(message);
        }
    }
}
