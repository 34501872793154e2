package org.dmarcreporter.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A minimal SMTP receiver for {@code scripts/bench-end-to-end}: accepts every message (EHLO, optional
 * STARTTLS, MAIL, RCPT, DATA, RSET, NOOP, QUIT; RFC 5321 §4.1), keeps nothing but counts, the
 * time each message was accepted, its Message-ID and recipients, and the number of connections
 * and TLS sessions. JDK only; loopback only. Not a relay for anything but a benchmark.
 */
final class SmtpSink implements AutoCloseable {

    private final ServerSocket server;
    private final SSLContext tls;
    private final ExecutorService sessions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smtp-sink");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger tlsSessions = new AtomicInteger();
    private final List<Long> acceptedAt = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> messageIds = Collections.synchronizedSet(new HashSet<>());
    private final Set<String> recipients = Collections.synchronizedSet(new HashSet<>());

    /** @param tls offers STARTTLS with this context; null: plain only */
    SmtpSink(SSLContext tls) throws IOException {
        this.tls = tls;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "smtp-sink-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return acceptedAt.size();
    }

    /** System.nanoTime() of each accepted message, in order of acceptance. */
    List<Long> acceptedTimes() {
        synchronized (acceptedAt) {
            return List.copyOf(acceptedAt);
        }
    }

    int distinctMessageIds() {
        return messageIds.size();
    }

    int distinctRecipients() {
        return recipients.size();
    }

    int connections() {
        return connections.get();
    }

    int tlsSessions() {
        return tlsSessions.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sessions.execute(() -> session(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket) {
        Socket s = socket;
        try {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            OutputStream out = s.getOutputStream();
            boolean secure = false;
            List<String> rcpt = new ArrayList<>();
            reply(out, "220 sink.bench.example ESMTP bench sink");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO" -> {
                        StringBuilder r = new StringBuilder("250-sink.bench.example\r\n250-SIZE 104857600\r\n");
                        if (tls != null && !secure) {
                            r.append("250-STARTTLS\r\n");
                        }
                        r.append("250 HELP");
                        reply(out, r.toString());
                    }
                    case "HELO" -> reply(out, "250 sink.bench.example");
                    case "STAR" -> {
                        if (tls == null || secure) {
                            reply(out, "502 5.5.1 not offered");
                            break;
                        }
                        reply(out, "220 2.0.0 go ahead");
                        SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                                .createSocket(s, s.getInetAddress().getHostAddress(), s.getPort(), true);
                        ssl.setUseClientMode(false);
                        ssl.startHandshake();
                        s = ssl;
                        in = new BufferedInputStream(ssl.getInputStream(), 16 * 1024);
                        out = ssl.getOutputStream();
                        secure = true;
                        tlsSessions.incrementAndGet();
                        rcpt.clear();
                    }
                    case "MAIL" -> {
                        rcpt.clear();
                        reply(out, "250 2.1.0 ok");
                    }
                    case "RCPT" -> {
                        int lt = line.indexOf('<');
                        int gt = line.indexOf('>', lt + 1);
                        rcpt.add(lt >= 0 && gt > lt ? line.substring(lt + 1, gt) : line);
                        reply(out, "250 2.1.5 ok");
                    }
                    case "DATA" -> {
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        String messageId = readData(in);
                        long at = System.nanoTime();
                        messageIds.add(messageId);
                        recipients.addAll(rcpt);
                        acceptedAt.add(at);
                        reply(out, "250 2.0.0 queued");
                        rcpt.clear();
                    }
                    case "RSET" -> {
                        rcpt.clear();
                        reply(out, "250 2.0.0 ok");
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 ok");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> reply(out, "500 5.5.2 unknown command");
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to keep
        } finally {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Reads DATA up to the lone dot; answers the Message-ID header's value ("" without one). */
    private static String readData(InputStream in) throws IOException {
        String messageId = "";
        boolean headers = true;
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) {
                return messageId;
            }
            if (headers) {
                if (line.isEmpty()) {
                    headers = false;
                } else if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                    messageId = line.substring(11).trim();
                }
            }
        }
        throw new IOException("connection closed in DATA");
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        sessions.shutdownNow();
    }
}
