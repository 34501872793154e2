package org.dmarcreporter.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local runtime's command line ({@code docs/command-line.md}), parsed by hand: a handful of options do not
 * need a framework, and the jar starts faster without one.
 */
public final class CommandLine {

    static final int DEFAULT_PORT = 8080;
    static final Path DEFAULT_DATA_DIR = Path.of("dmarc-data");

    public static final String USAGE = """
            Usage:
              java -jar dmarc-local.jar serve [options]   run the ingest API on 127.0.0.1
              java -jar dmarc-local.jar send-now [--domain D] [--dry-run DIR] [options]
                                                          report everything stored since the
                                                          last report, print a JSON summary
              java -jar dmarc-local.jar --help            show this text
              java -jar dmarc-local.jar --version         show the version

            serve answers POST /v1/results (one result object, or an array of up to 500) and
            prints "listening on http://127.0.0.1:PORT" once it accepts requests. Ctrl-C or
            SIGTERM (kill PID) stops it cleanly: requests in progress finish first. It sends
            the aggregate reports every day at 00:00 UTC (and at start-up for missed days).

            send-now asks the serve running on --data-dir, or runs on its own when none is.
            Exit status 0 when nothing failed, 3 when a report could not be sent to a recipient
            (it is retried later), 1 when the run could not be done, 2 for a bad command line.

            Options:
              --port N          HTTP port (default 8080; 0 picks a free one and prints it)
              --data-dir DIR    where the SQLite store keeps its files (default ./dmarc-data)
              --outbox DIR      write each outgoing email as one .eml file instead of sending it
              --smtp HOST:PORT  send outgoing email through this SMTP relay (STARTTLS when
                                offered; AUTH from DMARC_SMTP_USERNAME/DMARC_SMTP_PASSWORD)
                                Without either, reports are not sent: they stay pending.
              --zone-file FILE  answer DNS from this RFC 1035 master file instead of the
                                network; may repeat
              --config FILE     reporting settings (JSON or YAML); orgName and contactEmail are
                                required, e.g. --config events/local-config.yaml
              --domain D        send-now: only this policy domain
              --dry-run DIR     send-now: write the reports as .eml files into DIR; send and
                                mark nothing

            Example:
              java -jar functions/local/target/dmarc-local.jar serve \\
                --config events/local-config.yaml --zone-file events/local-zone.zone
            """;

    private CommandLine() {}

    /** What the command line asks for. */
    public sealed interface Command {}

    /** {@code --help}: print the usage. */
    public record Help() implements Command {}

    /** {@code --version}: print the version. */
    public record Version() implements Command {}

    /**
     * {@code serve} and its options.
     *
     * @param outbox    folder for outgoing mail, or null
     * @param smtp      relay for outgoing mail, or null
     * @param zoneFiles master files to answer DNS from; empty means the network
     * @param config    the settings file, or null when none was given
     */
    public record Serve(int port, Path dataDir, Path outbox, SmtpRelay smtp, List<Path> zoneFiles, Path config)
            implements Command {
        public Serve {
            zoneFiles = List.copyOf(zoneFiles);
        }
    }

    /**
     * {@code send-now} and its options.
     *
     * @param options the options it shares with {@code serve} ({@code --port} is not used)
     * @param domain  only this policy domain, or null for all
     * @param dryRun  folder for the messages of a dry run, or null to send
     */
    public record SendNow(Serve options, String domain, Path dryRun) implements Command {}

    /** {@code --smtp HOST:PORT}. */
    public record SmtpRelay(String host, int port) {

        /** Parses {@code host:port} or {@code [ipv6]:port}. */
        static SmtpRelay parse(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new UsageException("--smtp needs HOST:PORT, not '" + value + "'");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new UsageException(
                        "--smtp: write an IPv6 address in brackets, e.g. [::1]:25, not '" + value + "'");
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new UsageException("--smtp needs HOST:PORT, not '" + value + "'");
            }
            int port = parsePort("--smtp", value.substring(colon + 1), 1);
            return new SmtpRelay(host, port);
        }
    }

    /** A command line we cannot run; the message says what is wrong. Exit status 2. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the arguments. Options take their value as the next argument or after {@code =}
     * ({@code --port 8080}, {@code --port=8080}).
     *
     * @throws UsageException naming the bad argument
     */
    public static Command parse(String... args) {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new Help();
            }
        }
        String command = args[0];
        if (command.equals("help")) {
            return new Help();
        }
        for (String arg : args) {
            if (arg.equals("--version") || arg.equals("-V")) {
                return new Version();
            }
        }
        boolean sendNow = command.equals("send-now");
        if (!sendNow && !command.equals("serve")) {
            throw new UsageException(
                    command.startsWith("-")
                            ? "the command comes first: serve [options] or send-now [options]"
                            : "unknown command '" + command + "'");
        }
        String domain = null;
        Path dryRun = null;
        Integer port = null;
        Path dataDir = null;
        Path outbox = null;
        SmtpRelay smtp = null;
        Path config = null;
        List<Path> zoneFiles = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            if (!List.of("--port", "--data-dir", "--outbox", "--smtp", "--zone-file", "--config")
                    .contains(name)) {
                if (List.of("--domain", "--dry-run").contains(name) && !sendNow) {
                    throw new UsageException(name + " belongs to send-now, not to serve");
                }
                if (!sendNow) {
                    throw new UsageException("unknown option " + name);
                }
                if (!List.of("--domain", "--dry-run").contains(name)) {
                    throw new UsageException("unknown option " + name);
                }
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            if (value.isEmpty()) {
                throw new UsageException(name + " needs a value");
            }
            switch (name) {
                case "--port" -> port = once(name, port, parsePort(name, value, 0));
                case "--data-dir" -> dataDir = once(name, dataDir, Path.of(value));
                case "--outbox" -> outbox = once(name, outbox, Path.of(value));
                case "--smtp" -> smtp = once(name, smtp, SmtpRelay.parse(value));
                case "--zone-file" -> zoneFiles.add(Path.of(value));
                case "--config" -> config = once(name, config, Path.of(value));
                case "--domain" -> domain = once(name, domain, domainName(value));
                case "--dry-run" -> dryRun = once(name, dryRun, Path.of(value));
                default -> throw new AssertionError(name);
            }
        }
        Serve options = new Serve(
                port == null ? DEFAULT_PORT : port,
                dataDir == null ? DEFAULT_DATA_DIR : dataDir,
                outbox,
                smtp,
                zoneFiles,
                config);
        return sendNow ? new SendNow(options, domain, dryRun) : options;
    }

    /** A policy domain as the store keys it (lower case, no trailing dot, A-labels). */
    static String domainName(String value) {
        return org.dmarcreporter.core.address.DomainNames.normalize(value)
                .orElseThrow(() -> new UsageException("--domain needs a domain name, not '" + value + "'"));
    }

    private static <T> T once(String name, T previous, T value) {
        if (previous != null) {
            throw new UsageException(name + " is given twice");
        }
        return value;
    }

    private static int parsePort(String option, String value, int min) {
        try {
            int port = Integer.parseInt(value);
            if (port >= min && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new UsageException(option + " needs a port number from " + min + " to 65535, not '" + value + "'");
    }
}
