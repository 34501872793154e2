package org.dmarcreporter.aws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** The raw messages moto's SES took, read from moto's state API ({@code /moto-api/data.json}). */
public final class MotoSes {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One raw message: its envelope recipient (moto lists it first; null if none) and its text. */
    public record RawMessage(String recipient, String raw) {}

    private MotoSes() {}

    /** Every raw message sent so far through {@link AwsTestEndpoint}'s moto, oldest first. */
    public static List<RawMessage> sent() throws Exception {
        URI base = AwsTestEndpoint.endpoint().orElseThrow();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/moto-api/data.json"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        List<RawMessage> found = new ArrayList<>();
        collect(JSON.readTree(response.body()), found);
        return found;
    }

    private static void collect(JsonNode node, List<RawMessage> found) {
        if (node.isObject() && node.has("raw_data") && node.has("destinations")) {
            JsonNode destinations = node.get("destinations");
            found.add(new RawMessage(
                    destinations.size() > 0 ? destinations.get(0).asText() : null,
                    node.get("raw_data").asText()));
            return;
        }
        node.forEach(child -> collect(child, found));
    }
}
