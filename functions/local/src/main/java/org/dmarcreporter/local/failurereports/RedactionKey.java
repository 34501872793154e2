package org.dmarcreporter.local.failurereports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.dmarcreporter.core.settings.FailureReportSettings;
import org.dmarcreporter.local.CommandLine.UsageException;

/**
 * The redaction secret of the local runtime when the config file sets none: made once at random
 * and kept in the data folder ({@value #FILE_NAME}, readable by its owner only), so the tokens
 * that stand for local parts stay the same across restarts (docs/failure-reports.md, Privacy) and
 * nobody has to invent a secret to try the runtime out. A {@code failureReportRedactionSecret} in
 * the config file wins.
 */
final class RedactionKey {

    static final String FILE_NAME = "failure-redaction.key";

    private RedactionKey() {}

    /** The settings with a secret: the configured one, else the data folder's (created when missing). */
    static FailureReportSettings withSecret(FailureReportSettings settings, Path dataDir) {
        if (!settings.redaction() || settings.redactionSecret() != null) {
            return settings;
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            String secret = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return settings.withRedactionSecret(secret);
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read or create the redaction secret " + file + " (or set"
                    + " failureReportRedactionSecret in the config file): " + e.getMessage());
        }
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        Path part = file.resolveSibling("." + FILE_NAME + ".part");
        Files.deleteIfExists(part);
        try {
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(part); // not a POSIX file system
        }
        Files.writeString(part, secret, StandardCharsets.US_ASCII);
        try {
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(part); // made meanwhile: that one counts
        }
    }
}
