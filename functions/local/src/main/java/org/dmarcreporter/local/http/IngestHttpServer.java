package org.dmarcreporter.local.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local runtime's HTTP edge: Jetty on 127.0.0.1, answering {@code POST /v1/results}
 * ({@code docs/ingest-api.md}) through an ingest function.
 *
 * <p>What a slow or hostile client can hold is bounded: headers and body are read without
 * blocking a thread (only a complete request takes one of the handler threads); a connection
 * that sends nothing for {@link Limits#idleTimeout}, takes longer than {@link Limits#headerTimeout}
 * for its request headers or {@link Limits#bodyTimeout} for its body is dropped (the body with a
 * 408); at most {@link Limits#maxConnections} connections are open at once. Bodies are limited to
 * {@link IngestLimits#MAX_BODY_BYTES} without reading more than that. Every error this server
 * produces itself, Jetty's included, is problem+json (RFC 9457).
 */
public final class IngestHttpServer {

    public static final String RESULTS_PATH = "/v1/results";

    /** Answers one request: its body and headers, and the query string (null when none). */
    @FunctionalInterface
    public interface Endpoint {
        ApiResponse handle(ApiRequest request, String query);
    }

    /** An endpoint at an exact path for one method. */
    public record Route(String method, String path, Endpoint endpoint) {
        /** {@code POST /v1/results} through the ingest function. */
        public static Route results(Function<ApiRequest, ApiResponse> ingest) {
            return new Route("POST", RESULTS_PATH, (request, query) -> ingest.apply(request));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(IngestHttpServer.class);

    /**
     * What one client may hold.
     *
     * @param idleTimeout    a connection that sends nothing for this long is closed
     * @param headerTimeout  the request line and headers must arrive within this (against headers
     *                       trickled a byte at a time, which the idle timeout alone lets through)
     * @param bodyTimeout    the whole body must arrive within this, counted from the headers
     * @param maxConnections open connections at most; beyond, new ones wait in the accept queue
     * @param maxHeaderBytes request line and headers at most (431 beyond)
     * @param maxHeaders     header fields at most (431 beyond)
     */
    public record Limits(
            Duration idleTimeout,
            Duration headerTimeout,
            Duration bodyTimeout,
            int maxConnections,
            int maxHeaderBytes,
            int maxHeaders) {

        /** Generous for a mail server on the same machine or network: 4 MiB in 30 s is 140 KB/s. */
        public static final Limits DEFAULT =
                new Limits(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(30), 512, 16 * 1024, 100);
    }

    private final Server server;
    private final ServerConnector connector;
    private final Limits limits;
    private final List<Route> routes;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Per connection still reading its headers: how many requests it had, and since when. */
    private final Map<EndPoint, long[]> headersSince = new ConcurrentHashMap<>();

    private volatile boolean stopping;

    private IngestHttpServer(Server server, ServerConnector connector, Limits limits, List<Route> routes) {
        this.server = server;
        this.connector = connector;
        this.limits = limits;
        this.routes = List.copyOf(routes);
    }

    /** {@link #start(int, int, Limits, Function)} with {@link Limits#DEFAULT}. */
    public static IngestHttpServer start(int port, int threads, Function<ApiRequest, ApiResponse> ingest)
            throws IOException {
        return start(port, threads, Limits.DEFAULT, ingest);
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port) and starts answering.
     *
     * @param threads requests handled at once; further complete requests wait for a thread
     * @throws IOException when the port cannot be bound
     */
    public static IngestHttpServer start(int port, int threads, Limits limits, Function<ApiRequest, ApiResponse> ingest)
            throws IOException {
        return start(port, threads, limits, List.of(Route.results(ingest)));
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port) and answers {@code routes}; any other
     * path is 404, another method at a known path 405.
     *
     * @param threads requests handled at once; further complete requests wait for a thread
     * @throws IOException when the port cannot be bound
     */
    public static IngestHttpServer start(int port, int threads, Limits limits, List<Route> routes) throws IOException {
        // Jetty leases one thread to the acceptor and one to the selector; the rest handle requests.
        QueuedThreadPool pool = new QueuedThreadPool(threads + 2, Math.min(threads + 2, 4));
        pool.setName("http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        config.setRequestHeaderSize(limits.maxHeaderBytes());
        // Pass header values on as sent (the cache would turn "charset=utf-8" into Jetty's spelling).
        config.setHeaderCacheCaseSensitive(true);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        server.addConnector(connector);
        NetworkConnectionLimit connectionLimit = new NetworkConnectionLimit(limits.maxConnections(), connector);
        // At the limit, idle connections make way sooner.
        connectionLimit.setEndPointIdleTimeout(
                Math.min(1000, limits.idleTimeout().toMillis()));
        server.addBean(connectionLimit);
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopAtShutdown(false); // LocalRuntime stops us, finishing requests first
        IngestHttpServer edge = new IngestHttpServer(server, connector, limits, routes);
        server.setHandler(edge.new Edge());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw io.getCause() != null && io.getCause().getMessage() != null
                        ? new IOException(io.getCause().getMessage(), io)
                        : io;
            }
            throw new IOException(e.getMessage(), e);
        }
        edge.scheduleHeaderSweep();
        return edge;
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops accepting work, lets requests in progress finish (up to {@code grace}), then closes
     * the listening socket and every connection. Requests arriving meanwhile get 503 with
     * Retry-After, so a client retries them instead of having them cut off half-way.
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
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server: {}", e.toString());
        }
    }

    /**
     * Drops connections that have spent longer than {@link Limits#headerTimeout} on one request's
     * headers. Jetty bounds the time between bytes (idle timeout), not the time for all of them.
     */
    private void scheduleHeaderSweep() {
        Scheduler scheduler = connector.getScheduler();
        long every = Math.max(100, Math.min(1000, limits.headerTimeout().toMillis() / 4));
        scheduler.schedule(
                new Runnable() {
                    @Override
                    public void run() {
                        if (!server.isRunning()) {
                            return;
                        }
                        try {
                            sweepSlowHeaders();
                        } catch (RuntimeException e) {
                            LOG.warn("header sweep failed", e);
                        }
                        scheduler.schedule(this, every, TimeUnit.MILLISECONDS);
                    }
                },
                every,
                TimeUnit.MILLISECONDS);
    }

    private void sweepSlowHeaders() {
        long now = System.nanoTime();
        headersSince.keySet().removeIf(endPoint -> !endPoint.isOpen());
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            // Jetty's HTTP/1.1 connection: its parser says whether the headers are still coming.
            // START is an idle keep-alive connection, which the idle timeout covers.
            if (!(endPoint.getConnection() instanceof HttpConnection connection)
                    || !connection.getParser().inHeaderState()
                    || connection.getParser().isStart()) {
                headersSince.remove(endPoint);
                continue;
            }
            long requests = connection.getMessagesIn();
            long[] since = headersSince.compute(
                    endPoint, (e, old) -> old != null && old[0] == requests ? old : new long[] {requests, now});
            if (now - since[1] > limits.headerTimeout().toNanos()) {
                LOG.debug(
                        "dropping {}: headers not complete after {}",
                        endPoint.getRemoteSocketAddress(),
                        limits.headerTimeout());
                headersSince.remove(endPoint);
                endPoint.close();
            }
        }
    }

    /** Routes, reads the body without blocking, and answers. */
    private final class Edge extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            inFlight.incrementAndGet();
            Exchange exchange = new Exchange(request, response, callback);
            if (stopping) {
                exchange.answer(
                        ProblemJson.of(503, "Service Unavailable", "the server is stopping; try again shortly"),
                        Map.of("Retry-After", "1"),
                        true);
                return true;
            }
            String path = request.getHttpURI().getPath();
            List<Route> atPath =
                    routes.stream().filter(r -> r.path().equals(path)).toList();
            if (atPath.isEmpty()) {
                exchange.answer(
                        ProblemJson.of(
                                404, "Not Found", "no resource at " + path + "; results go to POST " + RESULTS_PATH),
                        Map.of(),
                        false);
                return true;
            }
            Route route = atPath.stream()
                    .filter(r -> r.method().equals(request.getMethod()))
                    .findFirst()
                    .orElse(null);
            if (route == null) {
                String allow =
                        String.join(", ", atPath.stream().map(Route::method).toList());
                exchange.answer(
                        ProblemJson.of(405, "Method Not Allowed", path + " takes " + allow + " only"),
                        Map.of("Allow", allow),
                        false);
                return true;
            }
            exchange.route = route;
            if (request.getHeaders().size() > limits.maxHeaders()) {
                exchange.answer(
                        ProblemJson.of(
                                431,
                                "Request Header Fields Too Large",
                                "at most " + limits.maxHeaders() + " header fields"),
                        Map.of(),
                        true);
                return true;
            }
            // Jetty has refused a malformed or negative Content-Length already (400).
            long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
            if (declared > IngestLimits.MAX_BODY_BYTES) {
                exchange.answerAndDrain(ProblemJson.tooLarge());
                return true;
            }
            exchange.readBody(declared);
            return true;
        }
    }

    /** What is read and thrown away after a 413 at most, so that the client can read the answer. */
    static final long DRAIN_LIMIT = 2L * IngestLimits.MAX_BODY_BYTES;

    /** Reads the rest of a refused body without keeping it, then completes the exchange (Jetty closes). */
    private static final class Drain implements Runnable {

        private final Request request;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Scheduler.Task deadline;
        private long drained;

        Drain(Request request, Callback callback, Scheduler scheduler, Duration timeout) {
            this.request = request;
            this.callback = callback;
            this.deadline = scheduler.schedule(this::finish, timeout);
        }

        @Override
        public void run() {
            while (!done.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                drained += chunk.remaining();
                boolean last = chunk.isLast() || Content.Chunk.isFailure(chunk);
                chunk.release();
                if (last || drained > DRAIN_LIMIT) {
                    finish();
                    return;
                }
            }
        }

        private void finish() {
            if (done.compareAndSet(false, true)) {
                deadline.cancel();
                callback.succeeded();
            }
        }
    }

    /** One request: reads its body chunk by chunk as it arrives, then answers exactly once. */
    private final class Exchange implements Runnable {

        private final Request request;
        private final Response response;
        private final Callback callback;
        private final AtomicBoolean answered = new AtomicBoolean();
        private ByteArrayOutputStream body;
        private Scheduler.Task deadline;
        private Route route;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void readBody(long declared) {
            body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8 * 1024);
            deadline = connector
                    .getScheduler()
                    .schedule(
                            () -> answer(
                                    ProblemJson.of(
                                            408,
                                            "Request Timeout",
                                            "the body did not arrive within "
                                                    + limits.bodyTimeout().toSeconds() + " s"),
                                    Map.of(),
                                    true),
                            limits.bodyTimeout());
            run();
        }

        /** Reads what has arrived; asks to be called again when more does. */
        @Override
        public void run() {
            while (!answered.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    // Jetty's own verdict (the client went away, a bad chunk size): nothing to ingest.
                    fail(chunk.getFailure());
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                boolean last = chunk.isLast();
                if (body.size() + bytes.remaining() > IngestLimits.MAX_BODY_BYTES) {
                    chunk.release();
                    answerAndDrain(ProblemJson.tooLarge());
                    return;
                }
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                body.write(copy, 0, copy.length);
                chunk.release();
                if (last) {
                    // The body is in: from here on only the endpoint's own work counts.
                    if (deadline != null) {
                        deadline.cancel();
                    }
                    answer(ingest(), Map.of(), false);
                    return;
                }
            }
        }

        private ApiResponse ingest() {
            HttpFields headers = request.getHeaders();
            ApiRequest apiRequest = new ApiRequest(
                    body.toByteArray(), headers.get(HttpHeader.CONTENT_TYPE), headers.get("Idempotency-Key"));
            try {
                return route.endpoint().handle(apiRequest, request.getHttpURI().getQuery());
            } catch (StoreUnavailableException e) {
                LOG.warn("store unavailable: {}", e.getMessage());
                ApiResponse problem = ProblemJson.of(
                        503, "Service Unavailable", "the store cannot take results right now; try again");
                return new ApiResponse(
                        problem.status(), problem.contentType(), problem.body(), Map.of("Retry-After", "1"));
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", route.method(), route.path(), e);
                return ProblemJson.of(
                        500,
                        "Internal Server Error",
                        RESULTS_PATH.equals(route.path())
                                ? "the request could not be processed; nothing was stored"
                                : "the request could not be processed: " + e.getMessage());
            }
        }

        /**
         * Sends {@code answer} with its own headers and {@code extra}; {@code close} for answers
         * that leave the body unread, so that the connection is not reused.
         */
        void answer(ApiResponse answer, Map<String, String> extra, boolean close) {
            send(answer, extra, close, false);
        }

        /**
         * Sends a 413 at once, then reads and discards what the client still sends (up to
         * {@link #DRAIN_LIMIT}, within the body timeout) before closing. A client that writes its
         * whole body before reading would otherwise get a connection reset instead of the answer:
         * closing a socket with unread input makes TCP send RST (RFC 9112 §9.6).
         */
        void answerAndDrain(ApiResponse answer) {
            send(answer, Map.of(), true, true);
        }

        private void send(ApiResponse answer, Map<String, String> extra, boolean close, boolean drain) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            if (deadline != null) {
                deadline.cancel();
            }
            response.setStatus(answer.status());
            HttpFields.Mutable headers = response.getHeaders();
            if (answer.contentType() != null) {
                headers.put(HttpHeader.CONTENT_TYPE, answer.contentType());
            }
            answer.headers().forEach(headers::put);
            extra.forEach(headers::put);
            if (close) {
                headers.put(HttpHeader.CONNECTION, "close");
            }
            byte[] bytes = answer.body() == null ? new byte[0] : answer.body();
            response.write(
                    true,
                    ByteBuffer.wrap(bytes),
                    Callback.from(
                            () -> {
                                inFlight.decrementAndGet();
                                if (drain) {
                                    new Drain(request, callback, connector.getScheduler(), limits.bodyTimeout()).run();
                                } else {
                                    callback.succeeded();
                                }
                            },
                            x -> {
                                inFlight.decrementAndGet();
                                LOG.debug("client went away: {}", x.toString());
                                callback.failed(x);
                            }));
        }

        private void fail(Throwable failure) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            if (deadline != null) {
                deadline.cancel();
            }
            inFlight.decrementAndGet();
            LOG.debug("request body failed: {}", failure.toString());
            callback.failed(failure); // Jetty answers through ProblemErrorHandler if it still can
        }
    }
}
