package org.dmarcreporter.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.local.http.IngestHttpServer.Limits;
import org.dmarcreporter.local.http.IngestHttpServer.Route;
import org.junit.jupiter.api.Test;

/**
 * A send-now answers when its run is done, which may take longer than the idle and body
 * timeouts that guard against slow clients: those must not cut off an endpoint still working.
 */
class SlowEndpointTest {

    @Test
    void anEndpointThatWorksLongerThanTheTimeoutsStillAnswers() throws Exception {
        Limits tight = new Limits(
                Duration.ofMillis(1000), Duration.ofMillis(1000), Duration.ofMillis(1000), 8, 16 * 1024, 100);
        Route slow = new Route("POST", "/slow", (request, query) -> {
            try {
                Thread.sleep(4_000); // four times each timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ApiResponse(200, "application/json", "{\"done\":true}".getBytes(), Map.of());
        });
        IngestHttpServer server = IngestHttpServer.start(0, 2, tight, List.of(slow));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/slow"))
                                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"done\":true}");
        } finally {
            server.stop(Duration.ofSeconds(1));
        }
    }
}
