package org.dmarcreporter.local.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-text SMTP relay (no STARTTLS) that, like real relays, says 421 and closes a connection
 * left idle for {@code idleMillis}. Records which connection each message came over.
 */
final class IdleClosingRelay implements AutoCloseable {

    /** One accepted message; {@code connection} counts from 1 in the order they were opened. */
    record Received(int connection, List<String> recipients) {}

    private final ServerSocket server;
    private final int idleMillis;
    private final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger idleClosed = new AtomicInteger();
    final List<Received> received = new CopyOnWriteArrayList<>();

    IdleClosingRelay(int idleMillis) throws IOException {
        this.idleMillis = idleMillis;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "idle-closing-relay");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "idle-closing-relay-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            socket.setSoTimeout(idleMillis);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            reply(out, "220 relay.test ESMTP");
            List<String> rcpt = new CopyOnWriteArrayList<>();
            while (true) {
                String line;
                try {
                    line = in.readLine();
                } catch (SocketTimeoutException idle) {
                    reply(out, "421 4.4.2 relay.test idle for too long, closing");
                    idleClosed.incrementAndGet();
                    return;
                }
                if (line == null) {
                    return;
                }
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 relay.test");
                    case "MAIL", "RSET", "NOOP" -> {
                        rcpt.clear();
                        reply(out, "250 OK");
                    }
                    case "RCPT" -> {
                        rcpt.add(line.substring(line.indexOf('<') + 1, line.indexOf('>')));
                        reply(out, "250 OK");
                    }
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        for (String l = in.readLine(); l != null && !l.equals("."); l = in.readLine()) {
                            // the message itself is not needed here
                        }
                        received.add(new Received(connection, List.copyOf(rcpt)));
                        reply(out, "250 2.0.0 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "500 unknown command");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
