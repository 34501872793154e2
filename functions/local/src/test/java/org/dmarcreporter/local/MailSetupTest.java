package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.SmtpRelay;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.ConfigFile.SmtpConfig;
import org.dmarcreporter.local.mail.OutboxTransport;
import org.dmarcreporter.local.mail.SmtpSettings;
import org.dmarcreporter.local.mail.SmtpTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailSetupTest {

    @TempDir
    Path dir;

    private static Serve with(Path outbox, SmtpRelay smtp) {
        return new Serve(0, Path.of("d"), outbox, smtp, List.of(), null);
    }

    @Test
    void neitherOptionMeansNoTransport() {
        assertThat(MailSetup.from(with(null, null), SmtpConfig.NONE, Map.of())).isEqualTo(MailSetup.NONE);
    }

    @Test
    void theOutboxIsCreated() {
        MailSetup mail = MailSetup.from(with(dir.resolve("o"), null), SmtpConfig.NONE, Map.of());
        assertThat(mail.transport()).get().isInstanceOf(OutboxTransport.class);
        assertThat(Files.isDirectory(dir.resolve("o"))).isTrue();
        assertThat(mail.description()).isEqualTo("outbox " + dir.resolve("o"));
    }

    @Test
    void smtpTakesTlsAndCredentialsFromTheConfigAndTheEnvironmentWins() {
        SmtpRelay relay = new SmtpRelay("relay.example.net", 587);
        SmtpConfig config = new SmtpConfig(true, "cfg-user", "cfg-pass", "relay.example.net");

        MailSetup fromConfig = MailSetup.from(with(null, relay), config, Map.of());
        SmtpSettings s = ((SmtpTransport) fromConfig.transport().orElseThrow()).settings();
        assertThat(s.requireTls()).isTrue();
        assertThat(s.credentials()).hasValue(new SmtpSettings.Credentials("cfg-user", "cfg-pass"));
        assertThat(s.trustedHosts()).hasValue("relay.example.net");
        assertThat(fromConfig.description())
                .isEqualTo("SMTP relay relay.example.net:587 (STARTTLS required, AUTH as cfg-user)")
                .doesNotContain("cfg-pass");

        MailSetup fromEnvironment = MailSetup.from(
                with(null, relay),
                config,
                Map.of(SmtpSettings.USERNAME_VARIABLE, "env-user", SmtpSettings.PASSWORD_VARIABLE, "env-pass"));
        assertThat(((SmtpTransport) fromEnvironment.transport().orElseThrow())
                        .settings()
                        .credentials())
                .hasValue(new SmtpSettings.Credentials("env-user", "env-pass"));

        SmtpSettings plain = ((SmtpTransport) MailSetup.from(with(null, relay), SmtpConfig.NONE, Map.of())
                        .transport()
                        .orElseThrow())
                .settings();
        assertThat(plain.requireTls()).isFalse();
        assertThat(plain.credentials()).isEmpty();
    }

    @Test
    void bothTransportsOrHalfACredentialAreUsageErrors() {
        assertThatThrownBy(
                        () -> MailSetup.from(with(dir.resolve("o"), new SmtpRelay("h", 25)), SmtpConfig.NONE, Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage("give --outbox or --smtp, not both: reports go one way");
        assertThatThrownBy(() -> MailSetup.from(
                        with(null, new SmtpRelay("h", 25)),
                        SmtpConfig.NONE,
                        Map.of(SmtpSettings.USERNAME_VARIABLE, "u")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(SmtpSettings.PASSWORD_VARIABLE + " is not set");
    }

    @Test
    void theConfigFileReadsTheSmtpKeysApartFromTheReportingSettings() throws Exception {
        Path file = Files.writeString(
                dir.resolve("c.yaml"),
                "orgName: example.org\ncontactEmail: a@example.org\nsmtpRequireTls: true\n"
                        + "smtpUsername: u\nsmtpPassword: p\nsmtpTrustedHosts: 127.0.0.1\n");
        ConfigFile.LocalConfig config = ConfigFile.readLocal(file);
        assertThat(config.smtp()).isEqualTo(new SmtpConfig(true, "u", "p", "127.0.0.1"));
        assertThat(config.smtp().toString()).doesNotContain("=p,").contains("password=***");
        assertThat(config.settings().orgName()).isEqualTo("example.org");

        Path half = Files.writeString(
                dir.resolve("h.yaml"), "orgName: example.org\ncontactEmail: a@example.org\nsmtpUsername: u\n");
        assertThatThrownBy(() -> ConfigFile.readLocal(half))
                .hasMessage("config file " + half + ": smtpUsername and smtpPassword go together"
                        + " (SMTP AUTH needs both), but only smtpUsername is set");
        Path badTls = Files.writeString(
                dir.resolve("t.yaml"), "orgName: example.org\ncontactEmail: a@example.org\nsmtpRequireTls: maybe\n");
        assertThatThrownBy(() -> ConfigFile.readLocal(badTls))
                .hasMessage("config file " + badTls + ": setting smtpRequireTls must be true or false, not 'maybe'");
    }
}
