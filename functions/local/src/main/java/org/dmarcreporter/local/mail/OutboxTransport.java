package org.dmarcreporter.local.mail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.SendCheck;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * The local outbox ({@code --outbox DIR}, docs/mail.md): instead of sending, writes each message's
 * exact bytes once, as one {@code .eml} file named by {@link #fileName} (the contract's "one .eml
 * file per outgoing email"). The recipients stand in the message's own To header; each of them
 * gets the outcome of that one write.
 *
 * <p>Each file appears whole or not at all: the bytes go to a hidden temporary file in the same
 * folder, are forced to disk, then renamed over the final name. A resend of the same message
 * (same Message-ID) replaces its file with the new copy; a different message always gets a
 * different name.
 */
public final class OutboxTransport implements MailTransport {

    /** How much of the Message-ID stands readable in a file name. */
    private static final int READABLE = 80;

    private final Path directory;
    private final long maxMessageBytes;

    /**
     * @param directory       the outbox; created if missing
     * @param maxMessageBytes the largest message written; 0 for no limit
     * @throws IOException when the folder cannot be created
     */
    public OutboxTransport(Path directory, long maxMessageBytes) throws IOException {
        this.directory = Files.createDirectories(Objects.requireNonNull(directory, "directory"));
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must be 0 (no limit) or more");
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** An outbox with no size limit. */
    public static OutboxTransport create(Path directory) throws IOException {
        return new OutboxTransport(directory, 0);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public Delivery send(OutgoingMail mail) {
        SendCheck check = SendCheck.of(mail, maxMessageBytes);
        if (check.sendable().isEmpty()) {
            return check.complete(Map.of());
        }
        return check.completeAll(write(mail));
    }

    /** Where a message is written. */
    public Path fileFor(String messageId) {
        return directory.resolve(fileName(messageId));
    }

    /**
     * {@code <message-id>_<hash>.eml}: the Message-ID without brackets, cut to 80 characters with
     * every character other than letters, digits and {@code . @ + -} shown as {@code _}, then 12
     * hex digits of SHA-256 over the exact Message-ID. The readable part is for people; the hash
     * keeps names of different messages apart, also on case-insensitive file systems. Every message
     * we send has a Message-ID of its own (the copyReportsTo copy too), so one name is one message.
     */
    public static String fileName(String messageId) {
        String id = messageId.startsWith("<") && messageId.endsWith(">") && messageId.length() > 2
                ? messageId.substring(1, messageId.length() - 1)
                : messageId;
        return readable(id) + "_" + hash(messageId) + ".eml";
    }

    private DeliveryOutcome write(OutgoingMail mail) {
        Path target = fileFor(mail.messageId());
        Path temp = null;
        try {
            // Hidden and not *.eml, so nothing that reads the outbox picks up a half-written file.
            temp = Files.createTempFile(directory, ".outbox-", ".part");
            try (FileChannel out =
                    FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(mail.message());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            move(temp, target);
            temp = null;
            return new DeliveryOutcome.Sent("written to " + target.getFileName());
        } catch (IOException | RuntimeException e) {
            return new DeliveryOutcome.TemporaryFailure("could not write " + target + ": " + e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Only a hidden leftover; the outcome already says the write failed.
                }
            }
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same folder, so this is rare (some network file systems); a plain replace is next best.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String readable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), READABLE));
        for (int i = 0; i < s.length() && b.length() < READABLE; i++) {
            char c = s.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '@'
                    || c == '+'
                    || c == '-';
            b.append(safe ? c : '_');
        }
        // A name must not start with a dot (hidden, or "." / "..").
        if (b.length() == 0 || b.charAt(0) == '.') {
            b.insert(0, '_');
        }
        return b.toString();
    }

    private static String hash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
