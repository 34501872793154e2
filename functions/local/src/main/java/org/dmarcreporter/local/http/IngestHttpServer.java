package org.dmarcreporter.local.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local runtime's HTTP edge: the JDK's built-in server on 127.0.0.1, answering
 * {@code POST /v1/results} ({@code docs/ingest-api.md}) through an ingest function, with a bounded pool of
 * handler threads. It limits bodies to {@link IngestLimits#MAX_BODY_BYTES} without reading more
 * than that, and answers everything else with problem+json (404, 405).
 */
public final class IngestHttpServer {

    public static final String RESULTS_PATH = "/v1/results";

    private static final Logger LOG = LoggerFactory.getLogger(IngestHttpServer.class);

    static {
        // The JDK server writes the response headers and body separately; with Nagle's algorithm
        // on, the body then waits for the client's delayed ACK (40 ms on Linux) on every request.
        // Read once, when the JDK's server configuration class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private static final int READ_CHUNK = 64 * 1024;

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final Function<ApiRequest, ApiResponse> ingest;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;

    private IngestHttpServer(HttpServer server, ThreadPoolExecutor executor, Function<ApiRequest, ApiResponse> ingest) {
        this.server = server;
        this.executor = executor;
        this.ingest = ingest;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port) and starts answering.
     *
     * @param threads handler threads; requests beyond them queue, and beyond the queue the
     *                accepting thread runs them itself, which slows accepting down (back-pressure)
     * @throws IOException when the port cannot be bound
     */
    public static IngestHttpServer start(int port, int threads, Function<ApiRequest, ApiResponse> ingest)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 32),
                r -> {
                    Thread t = new Thread(r, "http-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        IngestHttpServer edge = new IngestHttpServer(server, executor, ingest);
        server.createContext("/", edge::handle);
        server.setExecutor(executor);
        server.start();
        return edge;
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Stops accepting work, lets requests in progress finish (up to {@code grace}), then closes
     * the listening socket and every connection. Requests arriving meanwhile get 503, so a client
     * retries them instead of having them cut off half-way.
     */
    public void stop(Duration grace) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} requests still running after {} s; stopping anyway", inFlight.get(), grace.toSeconds());
        }
        // Not stop(delay): before JDK 21 it always waits the whole delay (JDK-8304065).
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try (exchange) {
            ApiResponse response = stopping
                    ? ProblemJson.of(503, "Service Unavailable", "the server is stopping; try again shortly")
                    : answer(exchange);
            send(exchange, response);
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private ApiResponse answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!RESULTS_PATH.equals(path)) {
            return ProblemJson.of(404, "Not Found", "no resource at " + path + "; results go to POST " + RESULTS_PATH);
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            return ProblemJson.of(405, "Method Not Allowed", RESULTS_PATH + " takes POST only");
        }
        byte[] body;
        try {
            body = readBody(exchange);
        } catch (BadLength e) {
            exchange.getResponseHeaders().set("Connection", "close");
            return ProblemJson.of(400, "Bad Request", e.getMessage());
        }
        if (body == null) {
            // The rest of the body stays unread: close the connection instead of draining it.
            exchange.getResponseHeaders().set("Connection", "close");
            return ProblemJson.tooLarge();
        }
        ApiRequest request = new ApiRequest(body,
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Idempotency-Key"));
        try {
            return ingest.apply(request);
        } catch (StoreUnavailableException e) {
            LOG.warn("store unavailable: {}", e.getMessage());
            exchange.getResponseHeaders().set("Retry-After", "1");
            return ProblemJson.of(503, "Service Unavailable", "the store cannot take results right now; try again");
        } catch (RuntimeException e) {
            LOG.error("ingest failed", e);
            return ProblemJson.of(500, "Internal Server Error", "the request could not be processed; nothing was stored");
        }
    }

    /**
     * The request body, or null when it is larger than the limit. A declared Content-Length over
     * the limit is refused before reading anything; a chunked body is counted while it is read.
     */
    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new BadLength("Content-Length '" + declared + "' is not a number");
            }
            if (length < 0) {
                throw new BadLength("Content-Length '" + declared + "' is negative");
            }
            if (length > IngestLimits.MAX_BODY_BYTES) {
                return null;
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new BadLength("the body ended after " + body.length + " of " + length + " bytes");
            }
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(READ_CHUNK);
        byte[] chunk = new byte[READ_CHUNK];
        int n;
        while ((n = in.read(chunk)) > 0) {
            if (out.size() + n > IngestLimits.MAX_BODY_BYTES) {
                return null;
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (response.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static final class BadLength extends IOException {
        BadLength(String message) {
            super(message);
        }
    }
}
