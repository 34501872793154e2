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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.intake.IngestService;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.InMemoryResultStore;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestHttpServerTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ApiResponse OK = new ApiResponse(200, "application/json", "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));

    private final List<ApiRequest> received = new CopyOnWriteArrayList<>();
    private IngestHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private void start(Function<ApiRequest, ApiResponse> ingest) throws IOException {
        server = IngestHttpServer.start(0, 4, request -> {
            received.add(request);
            return ingest.apply(request);
        });
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(body).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

        HttpResponse<String> response = post("/v1/results", HttpRequest.BodyPublishers.ofString("[{\"a\":1}]"),
                "Content-Type", "application/json; charset=utf-8", "Idempotency-Key", "retry-42");

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
                    + "Content-Length: 100000000\r\n\r\n[{").getBytes(StandardCharsets.US_ASCII));
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
        HttpResponse<String> response = post("/v1/results",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(received).isEmpty();
    }

    @Test
    void aChunkedBodyUpToTheLimitIsAccepted() throws Exception {
        start(r -> OK);
        byte[] body = "[]".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = post("/v1/results",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(received.get(0).body()).isEqualTo(body);
    }

    @Test
    void badJsonGetsAProblemNamingTheBody() throws Exception {
        InMemoryResultStore store = new InMemoryResultStore();
        IngestService ingest = new IngestService(
                new DmarcEvaluator(ZoneFileResolver.fromText("$ORIGIN example.com.\n_dmarc TXT \"v=DMARC1; p=reject\"\n")),
                store, SettingsReader.read(key -> switch (key) {
                    case "orgName" -> "example.org";
                    case "contactEmail" -> "a@example.org";
                    default -> null;
                }), Clock.systemUTC());
        start(ingest::handle);

        HttpResponse<String> response = post("/v1/results", HttpRequest.BodyPublishers.ofString("[{\"sourceIp\": "),
                "Content-Type", "application/json");

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

        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri("/v1/results")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

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
        CompletableFuture<HttpResponse<String>> pending = CLIENT.sendAsync(
                HttpRequest.newBuilder(uri("/v1/results")).POST(HttpRequest.BodyPublishers.ofString("[]")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        server.stop(Duration.ofSeconds(5));
        server = null;

        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
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
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }
}
