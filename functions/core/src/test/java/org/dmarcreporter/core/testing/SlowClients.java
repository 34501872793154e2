package org.dmarcreporter.core.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds N connections to 127.0.0.1:port open the way a slowloris client does: half of them
 * trickle request headers, the others a declared body, one byte per connection every
 * {@code interval} ms. A connection the server drops is opened again, so N stay open. One thread
 * drives them all. JDK only (the bench runs it from test-classes). Loopback only, and it stops on
 * {@link #close()}.
 */
public final class SlowClients implements AutoCloseable {

    private final int port;
    private final long intervalMillis;
    private final Socket[] sockets;
    private final Thread driver;
    private final AtomicInteger reopened = new AtomicInteger();
    private volatile boolean running = true;

    private SlowClients(int port, int count, long intervalMillis) {
        this.port = port;
        this.intervalMillis = intervalMillis;
        this.sockets = new Socket[count];
        this.driver = new Thread(this::drive, "slow-clients");
        this.driver.setDaemon(true);
    }

    /** Opens {@code count} slow connections (returns once each has sent its first bytes). */
    public static SlowClients open(int port, int count, long intervalMillis) throws IOException {
        SlowClients clients = new SlowClients(port, count, intervalMillis);
        for (int i = 0; i < count; i++) {
            clients.sockets[i] = clients.connect(i);
        }
        clients.driver.start();
        return clients;
    }

    /** How many connections the server dropped so far (each was opened again). */
    public int reopened() {
        return reopened.get();
    }

    private Socket connect(int i) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        String start = i % 2 == 0
                ? "POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                : "POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n[";
        socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private void drive() {
        while (running) {
            for (int i = 0; i < sockets.length && running; i++) {
                try {
                    OutputStream out = sockets[i].getOutputStream();
                    out.write(i % 2 == 0 ? 'a' : ' ');
                    out.flush();
                } catch (IOException e) {
                    closeQuietly(sockets[i]);
                    reopened.incrementAndGet();
                    try {
                        sockets[i] = connect(i);
                    } catch (IOException again) {
                        // the server is not accepting right now; try this one again next round
                    }
                }
            }
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        driver.interrupt();
        try {
            driver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Socket> all = new ArrayList<>(List.of(sockets));
        all.forEach(SlowClients::closeQuietly);
    }

    private static void closeQuietly(Socket socket) {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}
