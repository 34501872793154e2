package org.dmarcreporter.ingest;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.aws.dynamodb.DynamoDbResultStore;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.intake.IngestService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code POST /v1/results} behind an API Gateway HTTP API (payload format 2.0): turns the event
 * into an {@link ApiRequest} for {@link IngestService} and its {@link ApiResponse} back into the
 * HTTP response. Everything the service needs (DNS cache, DynamoDB client, settings) is built
 * once per container, in the constructor; a bad configuration fails the init, so Lambda starts
 * afresh instead of serving half-configured.
 */
public final class IngestHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final IngestService service;

    /** Lambda's entry point: settings and table names from the environment, DNS from the system resolver. */
    public IngestHandler() {
        this(fromEnvironment(
                System::getenv,
                CachingDnsResolver.system(),
                AwsClients.fromEnvironment().dynamoDb(),
                Clock.systemUTC()));
    }

    public IngestHandler(IngestService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** The service as the function builds it, from any environment (tests pass a map). */
    public static IngestService fromEnvironment(
            Function<String, String> env, DnsResolver dns, DynamoDbClient db, Clock clock) {
        IngestEnvironment environment = new IngestEnvironment(env);
        DynamoDbResultStore store =
                new DynamoDbResultStore(db, environment.reportsTable(), environment.failureCandidatesTable(), clock);
        return new IngestService(new DmarcEvaluator(dns), store, environment.settings(), clock);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiResponse response;
        try {
            response = handle(event);
        } catch (RuntimeException e) {
            // Logged with its stack trace; the client gets a problem document, not API Gateway's
            // bare "Internal Server Error".
            if (context != null && context.getLogger() != null) {
                context.getLogger().log("ingest failed: " + stackTrace(e));
            } else {
                e.printStackTrace();
            }
            response = ProblemJson.of(
                    500,
                    "Internal error",
                    hasKey(event)
                            ? "the request could not be processed; retry with the same Idempotency-Key and body: "
                                    + "no result is counted twice"
                            : "the request could not be processed and part of it may have been stored; a retry may "
                                    + "count those results twice: send an Idempotency-Key with each request to make retries safe");
        }
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(headers(response))
                .withBody(new String(response.body(), StandardCharsets.UTF_8))
                .withIsBase64Encoded(false)
                .build();
    }

    private ApiResponse handle(APIGatewayV2HTTPEvent event) {
        String body = event.getBody() == null ? "" : event.getBody();
        byte[] bytes;
        if (event.getIsBase64Encoded()) {
            // Decoded size is at most 3/4 of the text: refuse before decoding anything huge.
            if (body.length() / 4L * 3 > IngestLimits.MAX_BODY_BYTES + 3L) {
                return ProblemJson.tooLarge();
            }
            try {
                bytes = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                return ProblemJson.invalid(List.of(new FieldError(null, "body", "is not valid base64")));
            }
        } else {
            // A character is at least one UTF-8 byte, so a long string is too large either way.
            if (body.length() > IngestLimits.MAX_BODY_BYTES) {
                return ProblemJson.tooLarge();
            }
            bytes = body.getBytes(StandardCharsets.UTF_8);
        }
        Map<String, String> headers = event.getHeaders();
        return service.handle(
                new ApiRequest(bytes, header(headers, "Content-Type"), header(headers, "Idempotency-Key")));
    }

    /** Content-Type and every header the service's answer carries (Retry-After on 503, RFC 9110 §10.2.3). */
    static Map<String, String> headers(ApiResponse response) {
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Content-Type", response.contentType());
        return headers;
    }

    private static boolean hasKey(APIGatewayV2HTTPEvent event) {
        return event != null && header(event.getHeaders(), "Idempotency-Key") != null;
    }

    /** HTTP header names are case-insensitive (RFC 9110 §5.1); API Gateway v2 lower-cases them, others may not. */
    static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        String exact = headers.get(name.toLowerCase(Locale.ROOT));
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
