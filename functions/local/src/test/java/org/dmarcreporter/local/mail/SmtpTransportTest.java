package org.dmarcreporter.local.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Cause;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.MailTransportContract;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against an aiosmtpd relay with STARTTLS, plus TLS, retry and reply handling. */
class SmtpTransportTest extends MailTransportContract {

    @TempDir
    static Path work;

    static TestRelay relay;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = TestRelay.start(Files.createDirectories(work.resolve("tls")));
    }

    @AfterAll
    static void stopRelay() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    static SmtpSettings settings(int port) {
        return SmtpSettings.defaults("127.0.0.1", port)
                .withTrustedHosts("127.0.0.1")
                .withRetries(3, Duration.ofMillis(20))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Override
    protected MailTransport transport() {
        return new SmtpTransport(settings(relay.port));
    }

    @Override
    protected MailTransport transportWithLimit(long maxMessageBytes) {
        return new SmtpTransport(settings(relay.port).withMaxMessageBytes(maxMessageBytes));
    }

    @Override
    protected List<byte[]> received(String recipient, String messageId) throws Exception {
        return relay.received().stream()
                .filter(r -> r.recipients().contains(recipient))
                .filter(r -> new String(r.data(), java.nio.charset.StandardCharsets.US_ASCII)
                        .contains("\r\nMessage-ID: " + messageId + "\r\n"))
                .map(TestRelay.Received::data)
                .toList();
    }

    private List<TestRelay.Received> receivedWith(OutgoingMail mail) throws Exception {
        return relay.received().stream()
                .filter(r ->
                        new String(r.data(), java.nio.charset.StandardCharsets.US_ASCII).contains(mail.messageId()))
                .toList();
    }

    @Test
    void theConnectionIsUpgradedToTlsAndTheEnvelopeIsOurs() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST, SECOND), body());

        Delivery delivery = new SmtpTransport(settings(relay.port).withRequireTls(true)).send(mail);

        assertThat(delivery.allSent()).isTrue();
        assertThat(delivery.outcome(FIRST).orElseThrow().detail())
                .contains("250")
                .contains("(TLS)");
        assertThat(receivedWith(mail)).singleElement().satisfies(r -> {
            assertThat(r.tls()).as("session upgraded by STARTTLS").isTrue();
            assertThat(r.mailFrom()).isEqualTo(SENDER);
            assertThat(r.recipients()).containsExactly(FIRST, SECOND);
            assertThat(r.data()).isEqualTo(mail.message());
        });
    }

    @Test
    void aRelayWhoseCertificateIsTrustedForOtherHostsOnlyGetsNothing() throws Exception {
        OutgoingMail mail = mail(List.of(FIRST), body());
        SmtpSettings otherHost = SmtpSettings.defaults("127.0.0.1", relay.port)
                .withTrustedHosts("relay.other.example")
                .withRetries(1, Duration.ofMillis(20));
        SmtpSettings nobody = SmtpSettings.defaults("127.0.0.1", relay.port).withRetries(1, Duration.ofMillis(20));

        for (SmtpSettings s : List.of(otherHost, nobody)) {
            try (SmtpTransport transport = new SmtpTransport(s)) {
                Delivery delivery = transport.send(mail);

                assertThat(delivery.allSent()).isFalse();
                assertThat(delivery.outcome(FIRST).orElseThrow())
                        .isInstanceOf(DeliveryOutcome.TemporaryFailure.class)
                        .extracting(DeliveryOutcome::detail)
                        .asString()
                        .contains("relay 127.0.0.1:" + relay.port)
                        .contains("TLS");
            }
        }
        assertThat(receivedWith(mail)).isEmpty();
    }

    @Test
    void messagesInARowGoOverOneKeptTlsConnection() throws Exception {
        try (SmtpTransport transport = new SmtpTransport(settings(relay.port))) {
            List<OutgoingMail> mails = List.of(
                    mail(List.of(FIRST), body()), mail(List.of(SECOND), body()), mail(List.of(FIRST, SECOND), body()));

            for (OutgoingMail mail : mails) {
                assertThat(transport.send(mail).allSent()).isTrue();
            }

            List<TestRelay.Received> got = new java.util.ArrayList<>();
            for (OutgoingMail mail : mails) {
                assertThat(receivedWith(mail)).singleElement().satisfies(r -> {
                    assertThat(r.tls()).isTrue();
                    assertThat(r.data()).isEqualTo(mail.message());
                    got.add(r);
                });
            }
            assertThat(got.get(2).recipients()).containsExactly(FIRST, SECOND);
            assertThat(got)
                    .extracting(TestRelay.Received::session)
                    .as("one connection for the three messages")
                    .containsOnly(got.get(0).session());
        }
    }

    @Test
    void aKeptConnectionTheRelayDroppedIsReopenedAndTheMessageGoesOutOnce() throws Exception {
        // one try per send: the message must go out on a new connection (found by the RSET check,
        // or at once after MAIL FROM failed on the unchecked one), not by a retry with back-off
        try (SmtpTransport transport = new SmtpTransport(settings(relay.port).withRetries(1, Duration.ofMillis(20)))) {
            OutgoingMail first = mail(List.of("drop-after-" + unique() + "@example.com"), body());
            assertThat(transport.send(first).allSent()).isTrue();
            String dropped = receivedWith(first).get(0).session();
            relay.awaitDropped(dropped);

            OutgoingMail second = mail(List.of(FIRST, SECOND), body());
            Delivery delivery = transport.send(second);

            assertThat(delivery.allSent()).isTrue();
            assertThat(delivery.outcome(FIRST).orElseThrow().detail()).contains("(TLS)");
            assertThat(receivedWith(second)).singleElement().satisfies(r -> {
                assertThat(r.session()).isNotEqualTo(dropped);
                assertThat(r.recipients()).containsExactly(FIRST, SECOND);
                assertThat(r.data()).isEqualTo(second.message());
            });
        }
    }

    @Test
    void aKeptConnectionTheRelayClosedWhileIdleCostsNoReportAndNoBackOff() throws Exception {
        // Used again well within FRESH, so not checked with RSET: the send meets the relay's 421
        // and must go out on a new connection at once, not after the 10 s back-off.
        try (IdleClosingRelay idle = new IdleClosingRelay(150);
                SmtpTransport transport = new SmtpTransport(SmtpSettings.defaults("127.0.0.1", idle.port())
                        .withRetries(2, Duration.ofSeconds(10))
                        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)))) {
            assertThat(transport.send(mail(List.of(FIRST), body())).allSent()).isTrue();
            for (int i = 0; i < 500 && idle.idleClosed.get() == 0; i++) {
                Thread.sleep(2);
            }
            assertThat(idle.idleClosed.get())
                    .as("the relay closed the idle connection")
                    .isEqualTo(1);

            long start = System.nanoTime();
            Delivery delivery = transport.send(mail(List.of(FIRST, SECOND), body()));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(delivery.allSent()).isTrue();
            assertThat(idle.received)
                    .containsExactly(
                            new IdleClosingRelay.Received(1, List.of(FIRST)),
                            new IdleClosingRelay.Received(2, List.of(FIRST, SECOND)));
            assertThat(idle.connections()).isEqualTo(2);
            assertThat(millis).as("no back-off sleep").isLessThan(5_000);
        }
    }

    @Test
    void aRelayWithoutStarttlsIsRefusedWhenTlsIsRequired(@TempDir Path dir) throws Exception {
        try (TestRelay plain = TestRelay.start(dir, "--no-tls")) {
            OutgoingMail mail = mail(List.of(FIRST), body());

            Delivery delivery = new SmtpTransport(settings(plain.port).withRequireTls(true)).send(mail);

            assertThat(delivery.outcome(FIRST)).hasValueSatisfying(o -> {
                assertThat(o).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(o.detail()).contains("does not offer STARTTLS").contains("requireTls");
            });
            assertThat(plain.received()).isEmpty();

            // With AUTH credentials TLS is required too: no password in clear.
            Delivery withAuth = new SmtpTransport(settings(plain.port)
                            .withCredentials(java.util.Optional.of(new SmtpSettings.Credentials("reporter", "s3cret"))))
                    .send(mail);
            assertThat(withAuth.outcome(FIRST).orElseThrow().detail()).contains("does not offer STARTTLS");
            assertThat(plain.received()).isEmpty();

            // Not required: sent, unencrypted, and the outcome says so.
            Delivery open = new SmtpTransport(settings(plain.port)).send(mail);
            assertThat(open.outcome(FIRST).orElseThrow().detail()).contains("(no TLS)");
            assertThat(plain.received())
                    .singleElement()
                    .satisfies(r -> assertThat(r.tls()).isFalse());
        }
    }

    @Test
    void a451IsRetriedWithinTheSendAndThenSent() throws Exception {
        String greylisted = "tempfail-once-" + unique() + "@example.com";
        OutgoingMail mail = mail(List.of(greylisted, FIRST), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.allSent()).isTrue();
        assertThat(received(greylisted, mail.messageId())).singleElement().isEqualTo(mail.message());
        // FIRST got it on the first try and was not sent it again.
        assertThat(received(FIRST, mail.messageId())).hasSize(1);
    }

    @Test
    void a4xxThatLastsIsATemporaryFailureAfterTheTries() throws Exception {
        String down = "tempfail-" + unique() + "@example.com";
        OutgoingMail mail = mail(List.of(FIRST, down), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.outcome(FIRST)).containsInstanceOf(DeliveryOutcome.Sent.class);
        assertThat(delivery.toRetry()).containsExactly(down);
        assertThat(delivery.outcome(down).orElseThrow().detail()).contains("451");
    }

    @Test
    void a550IsAPermanentFailureOfThatRecipientAlone() throws Exception {
        String unknown = "reject-" + unique() + "@example.com";
        OutgoingMail mail = mail(List.of(unknown, FIRST), body());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.outcome(unknown)).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
            assertThat(((DeliveryOutcome.PermanentFailure) o).cause()).isEqualTo(Cause.REJECTED);
            assertThat(o.detail()).contains("550");
        });
        assertThat(delivery.outcome(FIRST)).containsInstanceOf(DeliveryOutcome.Sent.class);
        assertThat(received(FIRST, mail.messageId())).singleElement().isEqualTo(mail.message());
    }

    @Test
    void aMessageOverTheRelaysSizeIsTooLargeAndNotSent(@TempDir Path dir) throws Exception {
        try (TestRelay small = TestRelay.start(dir, "--size", "1000")) {
            OutgoingMail mail = mail(List.of(FIRST), body());

            Delivery delivery = new SmtpTransport(settings(small.port)).send(mail);

            assertThat(delivery.outcome(FIRST)).hasValueSatisfying(o -> {
                assertThat(((DeliveryOutcome.PermanentFailure) o).cause()).isEqualTo(Cause.TOO_LARGE);
                assertThat(o.detail()).contains("SIZE limit of 1000");
            });
            assertThat(small.received()).isEmpty();
        }
    }

    @Test
    void credentialsGoOverTlsAndARelayThatRefusesThemGetsNothing(@TempDir Path dir) throws Exception {
        try (TestRelay auth = TestRelay.start(dir, "--auth", "reporter:s3cret")) {
            OutgoingMail mail = mail(List.of(FIRST), body());
            SmtpSettings good = settings(auth.port)
                    .withCredentials(java.util.Optional.of(new SmtpSettings.Credentials("reporter", "s3cret")));

            assertThat(new SmtpTransport(good).send(mail).allSent()).isTrue();
            assertThat(auth.received()).singleElement().satisfies(r -> {
                assertThat(r.tls()).as("AUTH only after STARTTLS").isTrue();
                assertThat(r.authUser()).isEqualTo("reporter");
                assertThat(r.data()).isEqualTo(mail.message());
            });
            SmtpTransport.RelayCheck check = new SmtpTransport(good).check();
            assertThat(check.usable()).isTrue();
            assertThat(check.summary()).endsWith(", AUTH accepted");

            // A wrong password: temporary (the operator fixes it, later runs try again), not sent.
            SmtpSettings wrong = settings(auth.port)
                    .withCredentials(java.util.Optional.of(new SmtpSettings.Credentials("reporter", "wrong")));
            Delivery refused = new SmtpTransport(wrong).send(mail(List.of(SECOND), body()));
            assertThat(refused.outcome(SECOND)).hasValueSatisfying(o -> {
                assertThat(o).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(o.detail()).contains("refused our AUTH credentials");
            });
            SmtpTransport.RelayCheck refusedCheck = new SmtpTransport(wrong).check();
            assertThat(refusedCheck.usable()).isFalse();
            assertThat(refusedCheck.summary()).contains("refused our AUTH credentials");

            // No credentials for a relay that wants them (530 to MAIL FROM): our configuration, so
            // temporary too, and not tried again within the send (the back-off here is 10 s).
            long started = System.nanoTime();
            Delivery none = new SmtpTransport(settings(auth.port).withRetries(3, Duration.ofSeconds(10)))
                    .send(mail(List.of(SECOND), body()));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(none.outcome(SECOND)).hasValueSatisfying(o -> {
                assertThat(o).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
                assertThat(o.detail())
                        .contains("requires authentication (no SMTP credentials configured)")
                        .contains("530");
            });
            assertThat(auth.received()).hasSize(1);
        }
    }

    /** A port nothing listens on (it was free a moment ago). */
    private static int unusedPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRelayThatIsDownIsATemporaryFailure() throws Exception {
        int unused = unusedPort();
        Delivery delivery = new SmtpTransport(settings(unused)).send(mail(List.of(FIRST), body()));

        assertThat(delivery.toRetry()).containsExactly(FIRST);
        assertThat(delivery.outcome(FIRST).orElseThrow().detail())
                .contains("could not connect to relay 127.0.0.1:" + unused);
    }

    @Test
    void theRelayCheckTellsWhatTheRelayOffersAndSendsNothing(@TempDir Path dir) throws Exception {
        int before = relay.received().size();
        try (SmtpTransport transport = new SmtpTransport(settings(relay.port).withRequireTls(true))) {
            SmtpTransport.RelayCheck check = transport.check();

            assertThat(check.usable()).isTrue();
            assertThat(check.tls()).isTrue();
            assertThat(check.summary())
                    .isEqualTo("relay 127.0.0.1:" + relay.port
                            + " answered, STARTTLS in use, messages up to 33554432 bytes");
        }
        assertThat(relay.received()).hasSize(before);

        try (TestRelay plain = TestRelay.start(dir, "--no-tls", "--size", "5000")) {
            SmtpTransport.RelayCheck open = new SmtpTransport(settings(plain.port)).check();
            assertThat(open.usable()).isTrue();
            assertThat(open.tls()).isFalse();
            assertThat(open.summary())
                    .isEqualTo("relay 127.0.0.1:" + plain.port + " answered, no STARTTLS offered:"
                            + " reports would go unencrypted, messages up to 5000 bytes");

            SmtpTransport.RelayCheck required =
                    new SmtpTransport(settings(plain.port).withRequireTls(true)).check();
            assertThat(required.usable()).isFalse();
            assertThat(required.summary()).contains("does not offer STARTTLS").contains("requireTls");
            assertThat(plain.received()).isEmpty();
        }
    }

    @Test
    void theRelayCheckOfARelayThatIsDownSaysSo() throws Exception {
        int unused = unusedPort();
        SmtpTransport.RelayCheck check = new SmtpTransport(settings(unused)).check();

        assertThat(check.usable()).isFalse();
        assertThat(check.summary()).startsWith("could not connect to relay 127.0.0.1:" + unused);
    }

    @Test
    void credentialsComeFromTheEnvironmentAsAPair() {
        assertThat(SmtpSettings.credentialsFromEnvironment(java.util.Map.of())).isEmpty();
        assertThat(SmtpSettings.credentialsFromEnvironment(
                                java.util.Map.of("DMARC_SMTP_USERNAME", "reporter", "DMARC_SMTP_PASSWORD", "s3cret"))
                        .orElseThrow())
                .hasToString("Credentials[username=reporter, password=***]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        SmtpSettings.credentialsFromEnvironment(java.util.Map.of("DMARC_SMTP_USERNAME", "reporter")))
                .hasMessageContaining("DMARC_SMTP_PASSWORD");
    }
}
