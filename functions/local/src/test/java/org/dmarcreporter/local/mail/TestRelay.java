package org.dmarcreporter.local.mail;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * An aiosmtpd relay (src/test/resources/mail/smtp_relay.py) in the test venv
 * ({@code DMARC_TEST_PYTHON}, set by scripts/test); tests that need it are skipped without it.
 */
public final class TestRelay implements AutoCloseable {

    /**
     * One accepted message as the relay recorded it.
     *
     * @param session  names the SMTP connection it came over
     * @param authUser the user the session authenticated as; null without AUTH
     */
    public record Received(
            boolean tls, String session, String mailFrom, List<String> recipients, byte[] data, String authUser) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path out;
    public final int port;

    private TestRelay(Process process, Path out, int port) {
        this.process = process;
        this.out = out;
        this.port = port;
    }

    public static TestRelay start(Path work, String... options) throws Exception {
        String python = System.getenv("DMARC_TEST_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "DMARC_TEST_PYTHON is not set (scripts/test sets it)");
        Path script = work.resolve("smtp_relay.py");
        try (InputStream in = TestRelay.class.getResourceAsStream("/mail/smtp_relay.py")) {
            Files.copy(in, script);
        }
        Path out = Files.createDirectories(work.resolve("received"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(
                List.of(python, script.toString(), "--port", Integer.toString(port), "--out", out.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command)
                .redirectError(work.resolve("relay.log").toFile())
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        if (!"READY".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("test relay did not start: " + Files.readString(work.resolve("relay.log")));
        }
        return new TestRelay(p, out, port);
    }

    public List<Received> received() throws IOException {
        List<Received> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList()) {
                JsonNode n = JSON.readTree(f.toFile());
                List<String> rcpt = new ArrayList<>();
                n.get("rcpt_tos").forEach(r -> rcpt.add(r.asText()));
                all.add(new Received(
                        n.get("tls").asBoolean(),
                        n.get("session").asText(),
                        n.get("mail_from").asText(),
                        rcpt,
                        Base64.getDecoder().decode(n.get("data").asText()),
                        n.path("auth_user").isTextual() ? n.get("auth_user").asText() : null));
            }
        }
        return all;
    }

    /** Waits (at most 10 s) until the relay has closed the connection {@code session} after a drop-after-* message. */
    public void awaitDropped(String session) throws Exception {
        Path mark = out.resolve("dropped-" + session + ".mark");
        for (int i = 0; i < 1000 && !Files.exists(mark); i++) {
            Thread.sleep(10);
        }
        if (!Files.exists(mark)) {
            throw new IllegalStateException("the relay did not drop connection " + session);
        }
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
