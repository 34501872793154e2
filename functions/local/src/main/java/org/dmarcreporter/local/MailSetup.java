package org.dmarcreporter.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.ConfigFile.SmtpConfig;
import org.dmarcreporter.local.mail.OutboxTransport;
import org.dmarcreporter.local.mail.SmtpSettings;
import org.dmarcreporter.local.mail.SmtpTransport;

/**
 * The mail transport the command line asks for ({@code docs/command-line.md}): {@code --outbox DIR} writes
 * {@code .eml} files, {@code --smtp HOST:PORT} sends through a relay, neither means no
 * transport: reports are not sent and stay pending.
 *
 * @param transport   the transport, or empty
 * @param description what it is, for the log and for {@code serve.json}
 */
record MailSetup(Optional<MailTransport> transport, String description) {

    static final MailSetup NONE = new MailSetup(Optional.empty(), "none");

    /**
     * @param environment for {@code DMARC_SMTP_USERNAME} / {@code DMARC_SMTP_PASSWORD}, which win over
     *                    the config file's {@code smtpUsername} / {@code smtpPassword}
     * @throws UsageException for both transports at once, an outbox we cannot write, half a credential
     */
    static MailSetup from(Serve options, SmtpConfig smtp, Map<String, String> environment) {
        if (options.outbox() != null && options.smtp() != null) {
            throw new UsageException("give --outbox or --smtp, not both: reports go one way");
        }
        if (options.outbox() != null) {
            Folders.prepare("--outbox", options.outbox());
            try {
                return new MailSetup(
                        Optional.of(OutboxTransport.create(options.outbox())),
                        "outbox " + options.outbox().toAbsolutePath().normalize());
            } catch (IOException e) {
                throw new UsageException("--outbox " + options.outbox() + " cannot be created: " + Folders.why(e));
            }
        }
        if (options.smtp() != null) {
            SmtpSettings settings = SmtpSettings.defaults(
                            options.smtp().host(), options.smtp().port())
                    .withRequireTls(smtp.requireTls())
                    .withCredentials(credentials(smtp, environment));
            if (smtp.trustedHosts() != null) {
                settings = settings.withTrustedHosts(smtp.trustedHosts());
            }
            String relay = options.smtp().host().contains(":")
                    ? "[" + options.smtp().host() + "]:" + options.smtp().port()
                    : options.smtp().host() + ":" + options.smtp().port();
            return new MailSetup(
                    Optional.of(new SmtpTransport(settings)),
                    "SMTP relay " + relay + " (STARTTLS " + (settings.requireTls() ? "required" : "when offered")
                            + settings.credentials()
                                    .map(c -> ", AUTH as " + c.username())
                                    .orElse("")
                            + ")");
        }
        return NONE;
    }

    private static Optional<SmtpSettings.Credentials> credentials(SmtpConfig smtp, Map<String, String> environment) {
        Optional<SmtpSettings.Credentials> fromEnvironment;
        try {
            fromEnvironment = SmtpSettings.credentialsFromEnvironment(environment);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (fromEnvironment.isPresent() || smtp.username() == null) {
            return fromEnvironment;
        }
        return Optional.of(new SmtpSettings.Credentials(smtp.username(), smtp.password()));
    }

    /** The outbox folder, for comparing what a send-now command asks with what serve does. */
    static Path outboxOf(Serve options) {
        return options.outbox() == null
                ? null
                : options.outbox().toAbsolutePath().normalize();
    }
}
