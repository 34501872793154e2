package org.dmarcreporter.failure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;

/**
 * The mail moto's SES accepted, read from {@code GET /moto-api/data.json} (moto 5.2 has no API
 * call that lists sent messages; SES v1 GetSendStatistics only counts them). moto adds the
 * To/Cc header addresses to a raw message's destinations, so the envelope recipient is the first.
 */
final class MotoMail {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MESSAGE_ID = Pattern.compile("\r\nMessage-ID: (<[^>\r\n]+>)\r\n");

    /** One message as sent: envelope recipient, Message-ID header, the raw bytes as text. */
    record Sent(String recipient, String messageId, String raw) {}

    private MotoMail() {}

    static List<Sent> sent() throws Exception {
        URI base = AwsTestEndpoint.endpoint().orElseThrow();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/moto-api/data.json"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        List<Sent> out = new ArrayList<>();
        collect(JSON.readTree(response.body()), out);
        return out;
    }

    private static void collect(JsonNode node, List<Sent> out) {
        if (node.isObject() && node.has("raw_data") && node.has("destinations")) {
            String raw = node.get("raw_data").asText();
            JsonNode destinations = node.get("destinations");
            Matcher m = MESSAGE_ID.matcher(raw);
            out.add(new Sent(
                    destinations.size() > 0 ? destinations.get(0).asText() : "", m.find() ? m.group(1) : "", raw));
            return;
        }
        node.forEach(child -> collect(child, out));
    }
}
