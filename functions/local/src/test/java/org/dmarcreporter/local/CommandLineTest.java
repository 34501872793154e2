package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.dmarcreporter.local.CommandLine.Help;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.SmtpRelay;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {

    @Test
    void serveWithoutOptionsUsesTheDocumentedDefaults() {
        assertThat(CommandLine.parse("serve"))
                .isEqualTo(new Serve(8080, Path.of("dmarc-data"), null, null, List.of(), null));
    }

    @Test
    void everyOptionIsRead() {
        Serve serve = (Serve) CommandLine.parse(
                "serve",
                "--port",
                "0",
                "--data-dir",
                "/var/lib/dmarc",
                "--outbox",
                "out",
                "--smtp",
                "relay.example.net:587",
                "--zone-file",
                "a.zone",
                "--zone-file=b.zone",
                "--config=events/local-config.yaml");

        assertThat(serve)
                .isEqualTo(new Serve(
                        0,
                        Path.of("/var/lib/dmarc"),
                        Path.of("out"),
                        new SmtpRelay("relay.example.net", 587),
                        List.of(Path.of("a.zone"), Path.of("b.zone")),
                        Path.of("events/local-config.yaml")));
    }

    @Test
    void sendNowTakesTheServeOptionsPlusDomainAndDryRun() {
        assertThat(CommandLine.parse("send-now"))
                .isEqualTo(new CommandLine.SendNow(
                        new Serve(8080, Path.of("dmarc-data"), null, null, List.of(), null), null, null));
        assertThat(CommandLine.parse(
                        "send-now", "--domain", "Example.COM.", "--dry-run=dry", "--data-dir", "d", "--outbox", "o"))
                .isEqualTo(new CommandLine.SendNow(
                        new Serve(8080, Path.of("d"), Path.of("o"), null, List.of(), null),
                        "example.com",
                        Path.of("dry")));
    }

    @Test
    void helpWinsWherevertItStands() {
        assertThat(CommandLine.parse("--help")).isEqualTo(new Help());
        assertThat(CommandLine.parse("serve", "--port", "1", "--help")).isEqualTo(new Help());
        assertThat(CommandLine.parse("-h")).isEqualTo(new Help());
    }

    @Test
    void versionIsAskedForWherevertItStands() {
        assertThat(CommandLine.parse("--version")).isEqualTo(new CommandLine.Version());
        assertThat(CommandLine.parse("serve", "--port", "0", "--version")).isEqualTo(new CommandLine.Version());
        assertThat(CommandLine.parse("--version", "--help")).isEqualTo(new CommandLine.Help());
    }

    @Test
    void anIpv6RelayIsWrittenInBrackets() {
        assertThat(SmtpRelay.parse("[::1]:25")).isEqualTo(new SmtpRelay("::1", 25));
        assertThatThrownBy(() -> SmtpRelay.parse("::1:25")).hasMessageContaining("brackets");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                                  | no command given",
                "serv                                | unknown command 'serv'",
                "--port 8080                         | the command comes first",
                "serve --bogus                       | unknown option --bogus",
                "serve --port                        | --port needs a value",
                "serve --port abc                    | --port needs a port number from 0 to 65535, not 'abc'",
                "serve --port 70000                  | --port needs a port number from 0 to 65535, not '70000'",
                "serve --port -1                     | --port needs a port number from 0 to 65535, not '-1'",
                "serve --port 1 --port 2             | --port is given twice",
                "serve --smtp relay.example.net      | --smtp needs HOST:PORT, not 'relay.example.net'",
                "serve --smtp relay.example.net:0    | --smtp needs a port number from 1 to 65535, not '0'",
                "serve --smtp :25                    | --smtp needs HOST:PORT, not ':25'",
                "serve --config=                     | --config needs a value",
                "serve stray                         | unexpected argument 'stray'",
                "serve --domain example.com          | --domain belongs to send-now, not to serve",
                "serve --dry-run out                 | --dry-run belongs to send-now, not to serve",
                "send-now --domain a..b              | --domain needs a domain name, not 'a..b'",
                "send-now --domain x --domain y      | --domain is given twice",
                "send-now --dry-run                  | --dry-run needs a value",
                "send-now --bogus                    | unknown option --bogus",
            })
    void aBadCommandLineIsRefusedWithAMessageNamingTheProblem(String args, String message) {
        String[] argv = args.isEmpty() ? new String[0] : args.split(" ");

        assertThatThrownBy(() -> CommandLine.parse(argv))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(message);
    }
}
