package org.dmarcreporter.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.InMemoryResultStore;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.testing.SlowClients;
import org.dmarcreporter.local.http.IngestHttpServer.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestHttpServerTest {

    // One client per test: a pooled connection to an earlier test's server, whose port the next
    // server may get again, would otherwise be reused and fail.
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ApiResponse OK =
            new ApiResponse(200, "application/json", "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));

    private final List<ApiRequest> received = new CopyOnWriteArrayList<>();
    private IngestHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private void start(Function<ApiRequest, ApiResponse> ingest) throws IOException {
        start(Limits.DEFAULT, ingest);
    }

    private void start(Limits limits, Function<ApiRequest, ApiResponse> ingest) throws IOException {
        server = IngestHttpServer.start(0, 4, limits, request -> {
            received.add(request);
            return ingest.apply(request);
        });
    }

    /** Short limits, so that a test sees a slow client dropped in a second or two. */
    private static final Limits SHORT =
            new Limits(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), 512, 16 * 1024, 100);

    private static final String ZONE = "$ORIGIN example.com.\n_dmarc TXT \"v=DMARC1; p=reject\"\n";

    private static final String RESULT = """
            {"messageId": "<m1@example.com>", "sourceIp": "192.0.2.10", "headerFrom": "alice@example.com",
             "envelopeFrom": "bounce@example.com", "envelopeTo": ["bob@example.org"],
             "spf": {"result": "pass", "domain": "example.com"},
             "dkim": [{"result": "pass", "domain": "example.com", "selector": "s1"}]}
            """;

    /** The real use case, DNS from a zone text, with the given store. */
    private static IngestService service(ResultStore store) {
        return new IngestService(
                new DmarcEvaluator(ZoneFileResolver.fromText(ZONE)),
                store,
                SettingsReader.read(key -> switch (key) {
                    case "orgName" -> "example.org";
                    case "contactEmail" -> "a@example.org";
                    default -> null;
                }),
                Clock.systemUTC());
    }

    /** A store whose disk is full: IngestService answers 503. */
    private static final ResultStore UNAVAILABLE = new ResultStore() {
        @Override
        public long latestCut(String policyDomain) {
            return 0;
        }

        @Override
        public IngestOutcome ingest(IngestBatch batch) {
            throw new StoreUnavailableException("disk full");
        }
    };

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(body).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindsToLoopbackOnly() throws Exception {
        start(r -> OK);

        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            assertThat(s.isConnected()).isTrue();
        }
        assertThat(server.port()).isPositive();
    }

    @Test
    void passesBodyContentTypeAndIdempotencyKeyThroughAndAnswersWithTheServicesResponse() throws Exception {
        start(r -> OK);

        HttpResponse<String> response = post(
                "/v1/results",
                HttpRequest.BodyPublishers.ofString("[{\"a\":1}]"),
                "Content-Type",
                "application/json; charset=utf-8",
                "Idempotency-Key",
                "retry-42");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        assertThat(received).hasSize(1);
        assertThat(new String(received.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("[{\"a\":1}]");
        assertThat(received.get(0).contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(received.get(0).idempotencyKey()).isEqualTo("retry-42");
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedBeforeAnyOfItIsRead() throws Exception {
        start(r -> OK);

        // Only the headers are sent: the answer must come without waiting for the 100 MB.
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100000000\r\n\r\n[{")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readResponse(socket.getInputStream());

            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("\"status\":413");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWhileReading() throws Exception {
        start(r -> OK);
        byte[] big = new byte[IngestLimits.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        // ofInputStream has no length, so the client sends it chunked (no Content-Length)
        HttpResponse<String> response =
                post("/v1/results", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(received).isEmpty();
    }

    @Test
    void aChunkedBodyUpToTheLimitIsAccepted() throws Exception {
        start(r -> OK);
        byte[] body = "[]".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response =
                post("/v1/results", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(received.get(0).body()).isEqualTo(body);
    }

    @Test
    void badJsonGetsAProblemNamingTheBody() throws Exception {
        InMemoryResultStore store = new InMemoryResultStore();
        IngestService ingest = service(store);
        start(ingest::handle);

        HttpResponse<String> response = post(
                "/v1/results",
                HttpRequest.BodyPublishers.ofString("[{\"sourceIp\": "),
                "Content-Type",
                "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"field\":\"body\"").contains("not valid JSON");
        assertThat(store.batches()).isZero();
    }

    @Test
    void anUnknownPathIs404ProblemJson() throws Exception {
        start(r -> OK);

        HttpResponse<String> response = post("/v1/result", HttpRequest.BodyPublishers.ofString("[]"));
        HttpResponse<String> sendNow = post("/v1/reports/send-now", HttpRequest.BodyPublishers.ofString("{}"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"status\":404");
        assertThat(sendNow.statusCode()).isEqualTo(404);
        assertThat(received).isEmpty();
    }

    @Test
    void anotherMethodIs405WithAllow() throws Exception {
        start(r -> OK);

        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri("/v1/results")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(response.body()).contains("\"status\":405");
    }

    @Test
    void aStoreThatCannotTakeResultsMeans503() throws Exception {
        start(r -> {
            throw new StoreUnavailableException("disk full");
        });

        HttpResponse<String> response = post("/v1/results", HttpRequest.BodyPublishers.ofString("[]"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void anUnexpectedFailureIs500WithoutDetails() throws Exception {
        start(r -> {
            throw new IllegalStateException("secret internals");
        });

        HttpResponse<String> response = post("/v1/results", HttpRequest.BodyPublishers.ofString("[]"));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain("secret internals");
    }

    @Test
    void stoppingLetsARequestInProgressFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        start(r -> {
            entered.countDown();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK;
        });
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(
                HttpRequest.newBuilder(uri("/v1/results"))
                        .POST(HttpRequest.BodyPublishers.ofString("[]"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        server.stop(Duration.ofSeconds(5));
        server = null;

        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void theRealServicesAnswerArrivesWithEveryHeaderItCarries() throws Exception {
        InMemoryResultStore store = new InMemoryResultStore();
        IngestService ingest = service(store);
        // Whatever headers the use case attaches (Retry-After on 503, say) the edge sends as they are.
        start(r -> {
            ApiResponse answer = ingest.handle(r);
            return new ApiResponse(answer.status(), answer.contentType(), answer.body(), Map.of("X-Trace", "t-1"));
        });

        HttpResponse<String> response =
                post("/v1/results", HttpRequest.BodyPublishers.ofString(RESULT), "Content-Type", "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Trace")).hasValue("t-1");
        assertThat(response.body()).contains("\"disposition\"");
        assertThat(store.totalCount()).isEqualTo(1);
    }

    @Test
    void theRealServicesRetryAfterOn503ReachesTheClient() throws Exception {
        IngestService ingest = service(UNAVAILABLE);
        ApiResponse direct =
                ingest.handle(new ApiRequest(RESULT.getBytes(StandardCharsets.UTF_8), "application/json", null));
        start(ingest::handle);

        HttpResponse<String> response =
                post("/v1/results", HttpRequest.BodyPublishers.ofString(RESULT), "Content-Type", "application/json");

        assertThat(direct.status()).isEqualTo(503);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(direct.headers()).containsEntry("Retry-After", "1");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.body()).isEqualTo(direct.bodyText());
    }

    @Test
    void aFullBodyOverTheLimitSentBeforeReadingGets413NotAReset() throws Exception {
        start(r -> OK);
        byte[] body = new byte[IngestLimits.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        byte[] head = ("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        // Whether a close with unread input resets the connection depends on timing: try a few times.
        for (int attempt = 0; attempt < 10; attempt++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write(body); // all of it, before reading anything, as a simple client does
                out.flush();
                String answer = readResponse(socket.getInputStream());

                assertThat(answer).as("attempt %d", attempt).startsWith("HTTP/1.1 413");
                assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
                assertThat(answer).contains("\"status\":413");
            }
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aNegativeOrNonNumericContentLengthIs400ProblemJson() throws Exception {
        start(r -> OK);

        for (String length : List.of("-1", "12abc", "")) {
            String answer =
                    exchange("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + length + "\r\n\r\n[]");

            assertThat(answer).as(length).startsWith("HTTP/1.1 400");
            assertThat(answer).as(length).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).as(length).contains("\"status\":400");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void manyOrOversizedHeadersGet431ProblemJson() throws Exception {
        start(r -> OK);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }

        String tooMany =
                exchange("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + "Content-Length: 2\r\n\r\n[]");
        String tooLong = exchange("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + "a".repeat(40_000)
                + "\r\nContent-Length: 2\r\n\r\n[]");

        for (String answer : List.of(tooMany, tooLong)) {
            assertThat(answer).startsWith("HTTP/1.1 431");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("\"status\":431");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void errorsTheServerMakesItselfAreProblemJson() throws Exception {
        start(r -> {
            throw new IllegalStateException("secret internals");
        });

        String notFound = exchange("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String method = exchange("PUT /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        String failure = exchange("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n[]");
        String badVersion = exchange("POST /v1/results HTTP/7.1\r\nHost: 127.0.0.1\r\n\r\n");
        String badLine = exchange("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003junk\r\n\r\n");

        assertThat(notFound).startsWith("HTTP/1.1 404");
        assertThat(method).startsWith("HTTP/1.1 405");
        assertThat(failure).startsWith("HTTP/1.1 500").doesNotContain("secret internals");
        assertThat(badVersion).matches("(?s)HTTP/1.1 (400|505).*");
        assertThat(badLine).startsWith("HTTP/1.1 400");
        for (String answer : List.of(notFound, method, failure, badVersion, badLine)) {
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("\"type\":\"about:blank\"");
        }
    }

    @Test
    void requestsArrivingWhileStoppingGet503ProblemJsonWithRetryAfter() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(r -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return OK;
        });
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(
                HttpRequest.newBuilder(uri("/v1/results"))
                        .POST(HttpRequest.BodyPublishers.ofString("[]"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        IngestHttpServer stopping = server;
        server = null;
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> stopping.stop(Duration.ofSeconds(10)));
        Thread.sleep(200); // let stop() begin: it waits for the request in progress

        String answer = exchangeOn(
                stopping.port(), "POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Content-Length: 2\r\n\r\n[]");
        release.countDown();

        assertThat(answer).startsWith("HTTP/1.1 503");
        assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(answer).containsIgnoringCase("Retry-After: 1");
        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        stopped.get(15, TimeUnit.SECONDS);
    }

    @Test
    void anIncompleteRequestIsDropped() throws Exception {
        start(SHORT, r -> OK);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000); // generous: the server's limit is 1 s
            socket.getOutputStream()
                    .write("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(socket.getInputStream().readAllBytes()).isEmpty(); // closed, no answer
        }
    }

    @Test
    void headersTrickledByteByByteAreDroppedAtTheHeaderDeadline() throws Exception {
        start(SHORT, r -> OK);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            // A byte every 200 ms keeps the 1 s idle timeout from firing; the header deadline must.
            Thread trickle = trickle(out, 'a');
            String answer;
            try {
                answer = readResponse(socket.getInputStream());
            } catch (java.net.SocketException reset) {
                answer = "";
            }
            trickle.interrupt();

            assertThat(answer)
                    .as("dropped, not answered after the trickle stopped")
                    .isEmpty();
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aBodyTrickledPastTheBodyDeadlineGets408() throws Exception {
        start(SHORT, r -> OK);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n[")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread trickle = trickle(out, ' ');

            String answer = readResponse(socket.getInputStream());
            trickle.interrupt();

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void ordinaryClientsGetAnswersWhile200SlowConnectionsAreOpen() throws Exception {
        InMemoryResultStore store = new InMemoryResultStore();
        IngestService ingest = service(store);
        start(ingest::handle);

        try (SlowClients slow = SlowClients.open(server.port(), 200, 100)) {
            Thread.sleep(500);
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = post(
                        "/v1/results",
                        HttpRequest.BodyPublishers.ofString(RESULT.replace("<m1@", "<m" + i + "@")),
                        "Content-Type",
                        "application/json");
                assertThat(response.statusCode()).isEqualTo(200);
            }
        }
        assertThat(store.totalCount()).isEqualTo(20);
    }

    /** Writes {@code c} every 200 ms, for 30 s at most or until the connection fails. */
    private static Thread trickle(OutputStream out, char c) {
        Thread trickle = new Thread(() -> {
            try {
                for (int i = 0; i < 150; i++) {
                    out.write(c);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // dropped, as it should be
            }
        });
        trickle.setDaemon(true);
        trickle.start();
        return trickle;
    }

    /** Sends raw bytes on a new connection and reads one answer (or what came before it closed). */
    private String exchange(String request) throws IOException {
        return exchangeOn(server.port(), request);
    }

    private static String exchangeOn(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readResponse(socket.getInputStream());
        }
    }

    /** Status line, headers and a Content-Length body, without waiting for the connection to close. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        java.util.regex.Matcher length =
                java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }
}
