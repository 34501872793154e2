package org.dmarcreporter.local.mail;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Cause;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.SendCheck;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.eclipse.angus.mail.util.MailSSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends through an SMTP relay ({@code --smtp HOST:PORT}, docs/mail.md) with Angus Mail: STARTTLS
 * whenever the relay offers it (RFC 9990 §3.5: reports SHOULD go over TLS), optionally required;
 * optional AUTH; MAIL FROM the envelope sender and one RCPT TO per recipient; the message's exact
 * bytes as DATA (only dot-stuffed on the wire, RFC 5321 §4.5.2).
 *
 * <p>Replies: 2xx is sent; 4xx (and a dropped connection) is tried again within this send, up to
 * {@link SmtpSettings#attempts()} times with doubling back-off, then a temporary failure; 5xx is a
 * permanent failure. Replies to RCPT count for that recipient alone. Problems with our own relay
 * that a retry now will not fix (TLS required but not offered, a certificate or AUTH refused, a
 * 530 "authentication required") are temporary failures without retries within the send, so
 * later runs try again after the operator fixed them.
 *
 * <p>Connections are kept open between sends (up to {@link #MAX_POOLED}, each for at most
 * {@link #MAX_IDLE} unused): a send takes a kept connection, checks it with RSET and opens a new
 * one when that fails, so a dropped connection costs one reconnect and the message still goes
 * out once. A connection given back less than {@link #FRESH} ago is used without the check (a
 * round trip per message); should the relay have closed it all the same, the send fails before
 * MAIL FROM is accepted, so nothing was delivered, and goes out at once on a new connection. Only
 * a connection whose transaction went through is kept. Safe for concurrent use:
 * each send has a connection of its own while it runs.
 */
public final class SmtpTransport implements MailTransport, AutoCloseable {

    /** Open connections kept between sends: one per concurrent sender of a run is enough. */
    public static final int MAX_POOLED = 8;

    /** A kept connection unused for longer is closed instead of reused (relays drop idle ones after minutes). */
    public static final Duration MAX_IDLE = Duration.ofSeconds(30);

    /** A kept connection used again within this is not checked with RSET first (see the class comment). */
    public static final Duration FRESH = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(SmtpTransport.class);

    /** RFC 4954 §6: "530 5.7.0 Authentication required". */
    private static final int AUTH_REQUIRED = 530;

    /** Runs of control characters (oneLine): compiled once, as every sent message's reply passes here. */
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x1f\\x7f]+");

    private final SmtpSettings settings;
    private final Session session;
    private final BlockingDeque<Pooled> idle = new LinkedBlockingDeque<>(MAX_POOLED);
    private volatile boolean closed;

    private record Pooled(Smtp smtp, long idleSince) {}

    private record Borrowed(Smtp smtp, boolean checked) {}

    /** Angus's transport, telling whether the relay accepted this transaction's MAIL FROM. */
    static final class Smtp extends SMTPTransport {
        private boolean mailAccepted;

        Smtp(Session session) {
            super(session, new URLName("smtp", null, -1, null, null, null));
        }

        void startTransaction() {
            mailAccepted = false;
        }

        @Override
        protected void mailFrom() throws MessagingException {
            super.mailFrom();
            mailAccepted = true;
        }
    }

    public SmtpTransport(SmtpSettings settings) {
        this.settings = settings;
        this.session = Session.getInstance(properties(settings));
    }

    static Properties properties(SmtpSettings s) {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", s.host());
        p.setProperty("mail.smtp.port", Integer.toString(s.port()));
        p.setProperty("mail.smtp.starttls.enable", "true");
        // A password never goes over an unencrypted connection.
        p.setProperty(
                "mail.smtp.starttls.required",
                Boolean.toString(s.requireTls() || s.credentials().isPresent()));
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        // The trusted hosts go in one socket factory made here, not as mail.smtp.ssl.trust: with
        // that property Angus makes a new factory (an SSLContext and the default trust store read
        // again) for every connection. The factory is the same class Angus would make, and Angus
        // asks it about the host after each handshake all the same.
        s.trustedHosts().ifPresent(h -> p.put("mail.smtp.ssl.socketFactory", trusting(h)));
        p.setProperty("mail.smtp.auth", Boolean.toString(s.credentials().isPresent()));
        p.setProperty(
                "mail.smtp.connectiontimeout", Long.toString(s.connectTimeout().toMillis()));
        p.setProperty("mail.smtp.timeout", Long.toString(s.readTimeout().toMillis()));
        p.setProperty("mail.smtp.writetimeout", Long.toString(s.writeTimeout().toMillis()));
        // Send to the recipients the relay took even when it refused others; outcomes are per recipient.
        p.setProperty("mail.smtp.sendpartial", "true");
        // isConnected() checks a kept connection with RSET rather than NOOP, clearing any transaction state.
        p.setProperty("mail.smtp.userset", "true");
        // Never let Angus re-encode the message (8BITMIME conversion would change the bytes).
        p.setProperty("mail.smtp.allow8bitmime", "false");
        return p;
    }

    /** What {@code mail.smtp.ssl.trust=hosts} would make: "*" trusts every host, else the listed ones. */
    private static MailSSLSocketFactory trusting(String hosts) {
        try {
            MailSSLSocketFactory f = new MailSSLSocketFactory();
            if (hosts.equals("*")) {
                f.setTrustAllHosts(true);
            } else {
                f.setTrustedHosts(hosts.trim().split("\\s+"));
            }
            return f;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for trusted hosts " + hosts + ": " + e, e);
        }
    }

    /**
     * What {@link #check()} found: whether sends can go out as things stand, whether they would go
     * over TLS, and what the relay offered.
     */
    public record RelayCheck(boolean usable, boolean tls, String summary) {}

    /**
     * Connects once as a send would (EHLO, STARTTLS, AUTH when configured), says QUIT and tells
     * what happened. {@code serve} runs this at start (docs/mail.md), so that a relay that is down,
     * offers no STARTTLS while TLS is required, or refuses our credentials shows in the log then
     * rather than at midnight; the JDK's TLS set-up (trust store, first handshake) is then done
     * before the first report too. Nothing is sent and no connection is kept.
     */
    public RelayCheck check() {
        String relay = relay();
        Smtp smtp = new Smtp(session);
        String probe = "relay check";
        Attempt refused = connect(smtp, List.of(probe), relay);
        if (refused != null) {
            closeQuietly(smtp);
            return new RelayCheck(false, false, refused.outcomes().get(probe).detail());
        }
        long size = parseSize(smtp.getExtensionParameter("SIZE"));
        boolean tls = smtp.isSSL();
        String summary = "relay " + relay + " answered"
                + (tls ? ", STARTTLS in use" : ", no STARTTLS offered: reports would go unencrypted")
                + (size > 0 ? ", messages up to " + size + " bytes" : "")
                + (settings.credentials().isPresent() ? ", AUTH accepted" : "");
        closeQuietly(smtp);
        return new RelayCheck(true, tls, summary);
    }

    /** The relay as logs and outcomes name it: {@code host:port}. */
    private String relay() {
        return settings.host() + ":" + settings.port();
    }

    public SmtpSettings settings() {
        return settings;
    }

    @Override
    public Delivery send(OutgoingMail mail) {
        SendCheck check = SendCheck.of(mail, settings.maxMessageBytes());
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        List<String> pending = check.sendable();
        long backoff = settings.firstBackoff().toMillis();
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            Attempt result = attempt(mail, pending);
            outcomes.putAll(result.outcomes());
            pending = result.outcomes().entrySet().stream()
                    .filter(e -> e.getValue() instanceof DeliveryOutcome.TemporaryFailure)
                    .map(Map.Entry::getKey)
                    .toList();
            if (pending.isEmpty() || !result.retryNow() || attempt >= settings.attempts()) {
                break;
            }
            LOG.info(
                    "relay {}:{} answered {} for {}: trying again in {} ms",
                    settings.host(),
                    settings.port(),
                    result.outcomes().get(pending.get(0)).detail(),
                    mail.messageId(),
                    backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff *= 2;
        }
        return check.complete(outcomes);
    }

    private record Attempt(Map<String, DeliveryOutcome> outcomes, boolean retryNow) {
        static Attempt all(List<String> recipients, DeliveryOutcome outcome, boolean retryNow) {
            Map<String, DeliveryOutcome> m = new LinkedHashMap<>();
            recipients.forEach(r -> m.put(r, outcome));
            return new Attempt(m, retryNow);
        }
    }

    private Attempt attempt(OutgoingMail mail, List<String> recipients) {
        String relay = relay();
        Borrowed kept = borrow();
        if (kept != null) {
            Attempt result = attemptOn(kept.smtp(), !kept.checked(), mail, recipients, relay);
            if (result != null) {
                return result;
            }
            LOG.debug(
                    "kept connection to relay {} was closed by the relay: sending {} on a new one",
                    relay,
                    mail.messageId());
        }
        Smtp smtp = new Smtp(session);
        Attempt refused = connect(smtp, recipients, relay);
        if (refused != null) {
            closeQuietly(smtp);
            return refused;
        }
        if (!smtp.isSSL()) {
            LOG.warn("relay {} does not offer STARTTLS: sending {} unencrypted", relay, mail.messageId());
        }
        return attemptOn(smtp, false, mail, recipients, relay);
    }

    /**
     * One transaction on a connected transport, which is then kept or closed; null (and closed) when
     * {@code unchecked} and the connection turned out to be gone before MAIL FROM was accepted.
     */
    private Attempt attemptOn(Smtp smtp, boolean unchecked, OutgoingMail mail, List<String> recipients, String relay) {
        Attempt result;
        boolean clean;
        try {
            long relayLimit = parseSize(smtp.getExtensionParameter("SIZE"));
            if (relayLimit > 0 && mail.message().length > relayLimit) {
                result = Attempt.all(
                        recipients,
                        new DeliveryOutcome.PermanentFailure(
                                Cause.TOO_LARGE,
                                "message is " + mail.message().length + " bytes, over relay " + relay
                                        + "'s SIZE limit of " + relayLimit + " bytes"),
                        false);
                clean = true; // nothing was said to the relay
            } else {
                result = transfer(smtp, mail, recipients, relay, unchecked);
                clean = result != null
                        && result.outcomes().values().stream().allMatch(o -> o instanceof DeliveryOutcome.Sent);
            }
        } catch (RuntimeException e) {
            closeQuietly(smtp);
            throw e;
        }
        // Only a connection whose last transaction went through is kept: after any refusal or
        // error its state is not worth trusting, and a fresh connection costs one handshake.
        if (clean) {
            giveBack(smtp);
        } else {
            closeQuietly(smtp);
        }
        return result;
    }

    /** Connects and says EHLO (STARTTLS, AUTH); null when connected, else the outcome for every recipient. */
    private Attempt connect(Smtp smtp, List<String> recipients, String relay) {
        try {
            if (settings.credentials().isPresent()) {
                smtp.connect(
                        settings.host(),
                        settings.port(),
                        settings.credentials().get().username(),
                        settings.credentials().get().password());
            } else {
                smtp.connect(settings.host(), settings.port(), null, null);
            }
            return null;
        } catch (AuthenticationFailedException e) {
            return Attempt.all(
                    recipients, temporary("relay " + relay + " refused our AUTH credentials: " + text(e)), false);
        } catch (MessagingException e) {
            if (hasCause(e, SSLException.class)) {
                return Attempt.all(recipients, temporary("TLS with relay " + relay + " failed: " + rootText(e)), false);
            }
            String m = String.valueOf(e.getMessage());
            if (m.contains("STARTTLS")) {
                return Attempt.all(
                        recipients,
                        temporary("relay " + relay
                                + " does not offer STARTTLS and TLS is required (requireTls): nothing sent"),
                        false);
            }
            return Attempt.all(recipients, temporary("could not connect to relay " + relay + ": " + rootText(e)), true);
        }
    }

    /**
     * An open connection from the pool, or null to open a new one. One used within {@link #FRESH}
     * is taken as it is; an older one is checked with RSET (RFC 5321 §4.1.1.5: it also clears any
     * transaction state). One that has been idle too long, or does not answer RSET with 250 (the
     * relay closed it, timed out, or says 421), is closed and skipped.
     */
    private Borrowed borrow() {
        Pooled p;
        while ((p = idle.pollFirst()) != null) {
            long idleFor = System.nanoTime() - p.idleSince();
            if (idleFor > MAX_IDLE.toNanos()) {
                closeQuietly(p.smtp());
                continue;
            }
            if (idleFor < FRESH.toNanos()) {
                return new Borrowed(p.smtp(), false);
            }
            // Angus's isConnected sends RSET (mail.smtp.userset) and closes the connection when
            // the reply is not 250 or the connection is gone.
            if (p.smtp().isConnected()) {
                return new Borrowed(p.smtp(), true);
            }
            LOG.debug(
                    "pooled connection to relay {}:{} was dropped: opening another", settings.host(), settings.port());
        }
        return null;
    }

    /** Keeps the connection for the next send (most recently used first), or closes it when the pool is full. */
    private void giveBack(Smtp smtp) {
        if (!closed && idle.offerFirst(new Pooled(smtp, System.nanoTime()))) {
            if (closed) {
                close(); // close() ran meanwhile: this one must not stay open
            }
            return;
        }
        closeQuietly(smtp);
    }

    private static void closeQuietly(SMTPTransport smtp) {
        try {
            smtp.close(); // QUIT
        } catch (MessagingException ignored) {
            // The outcome is already decided; a failed QUIT changes nothing.
        }
    }

    /** Closes the idle connections (QUIT); a send after this opens and closes its own connection. */
    @Override
    public void close() {
        closed = true;
        Pooled p;
        while ((p = idle.pollFirst()) != null) {
            closeQuietly(p.smtp());
        }
    }

    /** Null when {@code unchecked} and the connection was gone before MAIL FROM was accepted (see {@link #stale}). */
    private Attempt transfer(Smtp smtp, OutgoingMail mail, List<String> recipients, String relay, boolean unchecked) {
        Address[] addresses = new Address[recipients.size()];
        try {
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = new InternetAddress(recipients.get(i), true);
            }
        } catch (AddressException e) {
            // SendCheck already accepted these; keep the outcome honest if it ever does not hold.
            return Attempt.all(recipients, new DeliveryOutcome.PermanentFailure(Cause.INVALID_ADDRESS, text(e)), false);
        }
        RawMessage message = new RawMessage(session, mail.message());
        message.setEnvelopeFrom(mail.envelopeFrom());
        smtp.startTransaction();
        try {
            smtp.sendMessage(message, addresses);
            String reply = reply(smtp) + (smtp.isSSL() ? " (TLS)" : " (no TLS)");
            return Attempt.all(recipients, new DeliveryOutcome.Sent(reply), false);
        } catch (MessagingException e) {
            if (unchecked && stale(smtp, e)) {
                return null;
            }
            if (e instanceof SendFailedException sf) {
                return partial(
                        sf,
                        recipients,
                        relay,
                        reply(smtp),
                        smtp.isSSL(),
                        settings.credentials().isPresent());
            }
            return Attempt.all(recipients, temporary("relay " + relay + " connection failed: " + rootText(e)), true);
        }
    }

    /**
     * Whether a failure on an unchecked kept connection means the relay had closed it: MAIL FROM
     * was not accepted (so no recipient was, and nothing can have been delivered), and the relay
     * gave no reply at all (end of stream, a write error) or 421, which it sends as it closes.
     */
    private static boolean stale(Smtp smtp, MessagingException e) {
        if (smtp.mailAccepted) {
            return false;
        }
        if (e instanceof SMTPSendFailedException sf) {
            return sf.getReturnCode() <= 0 || sf.getReturnCode() == 421;
        }
        return !(e instanceof SendFailedException);
    }

    /** Per-recipient outcomes from a refusal: RCPT replies first, then the MAIL or DATA reply. */
    private static Attempt partial(
            SendFailedException e,
            List<String> recipients,
            String relay,
            String lastReply,
            boolean tls,
            boolean credentials) {
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        List<Exception> chain = new ArrayList<>();
        for (Exception x = e; x != null; x = x instanceof MessagingException me ? me.getNextException() : null) {
            chain.add(x);
        }
        for (Exception x : chain) {
            if (x instanceof SMTPAddressFailedException af) {
                outcomes.put(
                        af.getAddress().getAddress(),
                        byCode(af.getReturnCode(), "relay " + relay + " refused RCPT TO: " + text(af)));
            }
        }
        if (e.getValidSentAddresses() != null) {
            for (Address a : e.getValidSentAddresses()) {
                outcomes.putIfAbsent(
                        ((InternetAddress) a).getAddress(),
                        new DeliveryOutcome.Sent(lastReply + (tls ? " (TLS)" : " (no TLS)")));
            }
        }
        DeliveryOutcome rest = e instanceof SMTPSendFailedException sf && sf.getReturnCode() > 0
                ? byCode(sf.getReturnCode(), "relay " + relay + " refused the message: " + text(sf))
                : temporary("relay " + relay + " refused the message: " + text(e));
        // A 530: our relay wants AUTH we did not give, or did not take ours. Like a refused AUTH:
        // temporary for every recipient not sent to, and not tried again within this send.
        Exception authRequired =
                chain.stream().filter(x -> code(x) == AUTH_REQUIRED).findFirst().orElse(null);
        DeliveryOutcome ours = authRequired == null
                ? null
                : temporary("relay " + relay + " requires authentication ("
                        + (credentials ? "it did not take our credentials" : "no SMTP credentials configured")
                        + "): " + text(authRequired));
        boolean retry = false;
        Map<String, DeliveryOutcome> ordered = new LinkedHashMap<>();
        for (String r : recipients) {
            DeliveryOutcome o = outcomes.getOrDefault(r, rest);
            if (ours != null && !(o instanceof DeliveryOutcome.Sent)) {
                o = ours;
            }
            ordered.put(r, o);
            retry |= o instanceof DeliveryOutcome.TemporaryFailure;
        }
        return new Attempt(ordered, retry && ours == null);
    }

    /** The reply code of a refusal; 0 when there is none. */
    private static int code(Exception e) {
        if (e instanceof SMTPSendFailedException sf) {
            return sf.getReturnCode();
        }
        if (e instanceof SMTPAddressFailedException af) {
            return af.getReturnCode();
        }
        return 0;
    }

    private static DeliveryOutcome byCode(int code, String reason) {
        if (code >= 500) {
            Cause cause = code == 552 ? Cause.TOO_LARGE : Cause.REJECTED;
            return new DeliveryOutcome.PermanentFailure(cause, reason);
        }
        return temporary(reason);
    }

    private static DeliveryOutcome temporary(String reason) {
        return new DeliveryOutcome.TemporaryFailure(reason);
    }

    private static long parseSize(String size) {
        if (size == null || size.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(size.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String reply(SMTPTransport smtp) {
        String r = smtp.getLastServerResponse();
        return r == null ? "sent" : oneLine(r);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootText(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? text(t) : text(t) + " (" + root + ")";
    }

    private static String text(Throwable t) {
        return oneLine(String.valueOf(t.getMessage()));
    }

    /** Relay replies go into logs and summaries: one line, no control characters. */
    private static String oneLine(String s) {
        return CONTROLS.matcher(s).replaceAll(" ").trim();
    }

    /**
     * A message that writes exactly the given bytes: Angus's own writeTo would re-serialise the
     * headers (and drop Bcc / Content-Length); this one hands the bytes over unchanged.
     */
    static final class RawMessage extends SMTPMessage {
        private final byte[] raw;

        RawMessage(Session session, byte[] raw) {
            super(session);
            this.raw = raw;
        }

        @Override
        public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
            os.write(raw);
        }

        @Override
        public void writeTo(OutputStream os) throws IOException {
            os.write(raw);
        }

        @Override
        public int getSize() {
            return raw.length;
        }
    }
}
