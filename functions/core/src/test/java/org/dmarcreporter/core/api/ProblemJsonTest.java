package org.dmarcreporter.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemJsonTest {

    @Test
    void fieldErrorsAreListedWithIndexPointerAndDetail() throws IOException {
        ApiResponse r = ProblemJson.invalid(List.of(
                new FieldError(1, "dkim[0].result", "must be one of none, pass"),
                new FieldError(null, "Idempotency-Key", "must be \"short\"")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.body()).isEqualTo(resource("answer-json/invalid-two-fields.json"));
    }

    @Test
    void aProblemWithoutFieldErrorsHasNoErrorsMember() throws IOException {
        ApiResponse r = ProblemJson.tooLarge();

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).isEqualTo(resource("answer-json/too-large.json"));
        assertThat(new String(
                        ProblemJson.of(404, "Not Found", "no resource at /x").body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                        + "\"detail\":\"no resource at /x\"}");
    }

    @Test
    void oneFieldErrorIsTheDetail() {
        ApiResponse r = ProblemJson.invalid(List.of(new FieldError(2, "sourceIp", "is required")));

        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Invalid request\",\"status\":400,"
                        + "\"detail\":\"result 2: sourceIp is required\",\"errors\":[{\"field\":\"sourceIp\","
                        + "\"index\":2,\"pointer\":\"/2/sourceIp\",\"detail\":\"is required\"}]}");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ProblemJsonTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
