package org.dmarcreporter.local.mail;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link SmtpTransport} reaches its relay (docs/mail.md).
 *
 * @param host            relay name or address
 * @param port            relay port (STARTTLS is used whenever the relay offers it)
 * @param requireTls      refuse to send when the relay does not offer STARTTLS
 * @param credentials     AUTH user and password, or empty for no AUTH; with them TLS is required
 * @param connectTimeout  TCP connect timeout
 * @param readTimeout     how long to wait for a reply
 * @param writeTimeout    how long a write may block
 * @param attempts        tries within one send for 4xx replies and connection problems (1 = no retry)
 * @param firstBackoff    wait before the second try; doubled for each further try
 * @param maxMessageBytes our own size limit (0 = none); the relay's SIZE (RFC 1870) also applies
 * @param trustedHosts    hosts whose certificate is trusted without checking (as Angus's {@code mail.smtp.ssl.trust});
 *                        for tests and private relays only, empty for normal verification
 */
public record SmtpSettings(
        String host,
        int port,
        boolean requireTls,
        Optional<Credentials> credentials,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        int attempts,
        Duration firstBackoff,
        long maxMessageBytes,
        Optional<String> trustedHosts) {

    /** Environment variable with the AUTH user name. */
    public static final String USERNAME_VARIABLE = "DMARC_SMTP_USERNAME";
    /** Environment variable with the AUTH password. */
    public static final String PASSWORD_VARIABLE = "DMARC_SMTP_PASSWORD";

    public SmtpSettings {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SMTP port must be 1-65535, not " + port);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must be 0 (no limit) or more");
        }
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(trustedHosts, "trustedHosts");
    }

    /** AUTH credentials; {@link #toString()} never shows the password. */
    public record Credentials(String username, String password) {
        public Credentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    /**
     * The defaults: STARTTLS when offered but not required, no AUTH, 10 s connect, 30 s read and
     * write timeouts, 3 tries with 1 s then 2 s between them, no size limit of our own.
     */
    public static SmtpSettings defaults(String host, int port) {
        return new SmtpSettings(
                host,
                port,
                false,
                Optional.empty(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                3,
                Duration.ofSeconds(1),
                0,
                Optional.empty());
    }

    /**
     * AUTH credentials from {@code DMARC_SMTP_USERNAME} and {@code DMARC_SMTP_PASSWORD}: both set,
     * or neither (no AUTH).
     *
     * @throws IllegalArgumentException naming the missing variable when only one is set
     */
    public static Optional<Credentials> credentialsFromEnvironment(Map<String, String> environment) {
        String user = blankToNull(environment.get(USERNAME_VARIABLE));
        String password = environment.get(PASSWORD_VARIABLE);
        password = password == null || password.isEmpty() ? null : password;
        if (user == null && password == null) {
            return Optional.empty();
        }
        if (user == null || password == null) {
            throw new IllegalArgumentException((user == null ? USERNAME_VARIABLE : PASSWORD_VARIABLE)
                    + " is not set: SMTP AUTH needs both " + USERNAME_VARIABLE + " and " + PASSWORD_VARIABLE);
        }
        return Optional.of(new Credentials(user, password));
    }

    public SmtpSettings withRequireTls(boolean require) {
        return new SmtpSettings(
                host,
                port,
                require,
                credentials,
                connectTimeout,
                readTimeout,
                writeTimeout,
                attempts,
                firstBackoff,
                maxMessageBytes,
                trustedHosts);
    }

    public SmtpSettings withCredentials(Optional<Credentials> auth) {
        return new SmtpSettings(
                host,
                port,
                requireTls,
                auth,
                connectTimeout,
                readTimeout,
                writeTimeout,
                attempts,
                firstBackoff,
                maxMessageBytes,
                trustedHosts);
    }

    public SmtpSettings withRetries(int tries, Duration backoff) {
        return new SmtpSettings(
                host,
                port,
                requireTls,
                credentials,
                connectTimeout,
                readTimeout,
                writeTimeout,
                tries,
                backoff,
                maxMessageBytes,
                trustedHosts);
    }

    public SmtpSettings withMaxMessageBytes(long max) {
        return new SmtpSettings(
                host,
                port,
                requireTls,
                credentials,
                connectTimeout,
                readTimeout,
                writeTimeout,
                attempts,
                firstBackoff,
                max,
                trustedHosts);
    }

    public SmtpSettings withTrustedHosts(String hosts) {
        return new SmtpSettings(
                host,
                port,
                requireTls,
                credentials,
                connectTimeout,
                readTimeout,
                writeTimeout,
                attempts,
                firstBackoff,
                maxMessageBytes,
                Optional.of(hosts));
    }

    public SmtpSettings withTimeouts(Duration connect, Duration read, Duration write) {
        return new SmtpSettings(
                host,
                port,
                requireTls,
                credentials,
                connect,
                read,
                write,
                attempts,
                firstBackoff,
                maxMessageBytes,
                trustedHosts);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
