package org.dmarcreporter.local.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.report.mail.ReportNames;
import org.dmarcreporter.core.report.run.ReportLedger;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.report.run.WindowRange;
import org.dmarcreporter.local.http.IngestHttpServer.Route;
import org.dmarcreporter.local.report.LocalReports;
import org.dmarcreporter.local.store.SqliteReportLedger;
import org.dmarcreporter.local.store.WindowListing;

/**
 * {@code POST /v1/reports/send-now} and {@code GET /v1/reports} of the local runtime
 * ({@code docs/send-now.md}).
 */
public final class ReportsEndpoints {

    public static final String SEND_NOW_PATH = "/v1/reports/send-now";
    public static final String REPORTS_PATH = "/v1/reports";

    /** {@code GET /v1/reports} without {@code since}: windows that started in the last 14 days (the data's retention). */
    static final long DEFAULT_DAYS = 14;

    static final int DEFAULT_LIMIT = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    private final LocalReports reports;
    private final SqliteReportLedger ledger;
    private final Clock clock;
    private final Path defaultDryRun;
    private final String mail;
    private final String orgName;
    private Supplier<Map<String, Object>> failureReports;

    /**
     * @param defaultDryRun where {@code "dryRun": true} writes its messages
     * @param mail          the transport, as {@code GET /v1/reports} shows it ({@code "none"} without one)
     */
    public ReportsEndpoints(
            LocalReports reports,
            SqliteReportLedger ledger,
            Clock clock,
            Path defaultDryRun,
            String mail,
            String orgName) {
        this.orgName = orgName;
        this.reports = reports;
        this.ledger = ledger;
        this.clock = clock;
        this.defaultDryRun = defaultDryRun;
        this.mail = mail;
    }

    /** Adds the {@code failureReports} member to {@code GET /v1/reports}. */
    public ReportsEndpoints withFailureReports(Supplier<Map<String, Object>> status) {
        this.failureReports = status;
        return this;
    }

    public List<Route> routes() {
        return List.of(new Route("POST", SEND_NOW_PATH, this::sendNow), new Route("GET", REPORTS_PATH, this::list));
    }

    /** What the body asks for. */
    record SendNowBody(String domain, Path dryRun) {}

    /**
     * Reads {@code {"domain": D, "dryRun": false | true | "FOLDER"}}; every member is optional and
     * an empty body is {@code {}}.
     *
     * @throws BadBody naming the field
     */
    static SendNowBody parse(byte[] body, Path defaultDryRun) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return new SendNowBody(null, null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadBody("body", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadBody("body", "must be a JSON object such as {\"domain\": \"example.com\"}");
        }
        String domain = null;
        Path dryRun = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "domain" -> {
                    if (v.isNull()) {
                        continue;
                    }
                    if (!v.isTextual()) {
                        throw new BadBody("domain", "must be a domain name (a string)");
                    }
                    domain = DomainNames.normalize(v.asText())
                            .orElseThrow(() -> new BadBody("domain", "'" + v.asText() + "' is not a domain name"));
                }
                case "dryRun" -> {
                    if (v.isNull() || v.isBoolean() && !v.asBoolean()) {
                        dryRun = null;
                    } else if (v.isBoolean()) {
                        dryRun = defaultDryRun;
                    } else if (v.isTextual() && !v.asText().isBlank()) {
                        try {
                            dryRun = Path.of(v.asText());
                        } catch (InvalidPathException x) {
                            throw new BadBody("dryRun", "'" + v.asText() + "' is not a folder name");
                        }
                    } else {
                        throw new BadBody("dryRun", "must be true, false or a folder name");
                    }
                }
                default -> throw new BadBody(e.getKey(), "is not a member of the send-now body (domain, dryRun)");
            }
        }
        return new SendNowBody(domain, dryRun);
    }

    private ApiResponse sendNow(ApiRequest request, String query) {
        if (query != null && !query.isEmpty()) {
            return ProblemJson.invalid(List.of(
                    new FieldError(null, "query", "is not used: send-now takes a JSON body {\"domain\", \"dryRun\"}")));
        }
        SendNowBody body;
        try {
            body = parse(request.body(), defaultDryRun);
        } catch (BadBody e) {
            return ProblemJson.invalid(List.of(new FieldError(null, e.field, e.getMessage())));
        }
        RunSummary summary;
        try {
            summary = reports.sendNow(body.domain(), body.dryRun());
        } catch (LocalReports.NoTransportException e) {
            return ProblemJson.of(409, "No mail transport", e.getMessage());
        } catch (IOException e) {
            return ProblemJson.invalid(List.of(new FieldError(
                    null, "dryRun", "folder " + body.dryRun() + " cannot be created: " + e.getMessage())));
        }
        return new ApiResponse(200, JSON_TYPE, summary.toJson(), Map.of());
    }

    /**
     * One window as {@code GET /v1/reports} shows it. {@code state} is one of the contract's
     * ({@code /work/shared/contract/README.md} §2): {@code pending} (with {@code rows} and
     * {@code messages}), {@code sent}, or {@code failed} (with {@code reason} and {@code nextRetry},
     * null when given up for good). The rest is extra detail.
     *
     * @param collecting pending only: true while the window still takes results (its end is ahead)
     * @param givenUp    failed only: true when no run will try again ({@code nextRetry} null)
     * @param nextRetry  always written, null unless a failed window is retried then
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Listed(
            String domain,
            long windowStart,
            long windowEnd,
            String state,
            Boolean collecting,
            String reportId,
            Long rows,
            Long messages,
            String outcome,
            Long reportedAt,
            String reason,
            @JsonInclude(JsonInclude.Include.ALWAYS) Long nextRetry,
            Boolean givenUp,
            List<Recipient> recipients) {}

    /**
     * One recipient of a listed window.
     *
     * @param status {@code sent}, {@code failed} (retried from {@code nextRetry}) or {@code given-up}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Recipient(String recipient, String status, String reason, int attempts, Long sentAt, Long nextRetry) {
        static Recipient of(WindowListing.Recipient r) {
            return new Recipient(r.recipient(), r.status(), r.reason(), r.attempts(), r.sentAt(), r.nextRetry());
        }
    }

    /**
     * The answer of {@code GET /v1/reports}: one object, so that other lists can join it later.
     *
     * @param failureReports the failure-report sender's counters (docs/failure-reports.md), when wired
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Listing(String mail, List<Listed> windows, Map<String, Object> failureReports) {}

    private ApiResponse list(ApiRequest request, String query) {
        long now = clock.instant().getEpochSecond();
        long since = now - DEFAULT_DAYS * 86_400;
        int limit = DEFAULT_LIMIT;
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                try {
                    switch (name) {
                        case "since" -> since = Long.parseLong(value);
                        case "limit" -> {
                            limit = Integer.parseInt(value);
                            if (limit < 1 || limit > ReportLedger.MAX_PAGE) {
                                throw new NumberFormatException();
                            }
                        }
                        default -> {
                            return ProblemJson.invalid(
                                    List.of(new FieldError(null, name, "is not a parameter (since, limit)")));
                        }
                    }
                } catch (NumberFormatException e) {
                    return ProblemJson.invalid(List.of(new FieldError(
                            null,
                            name,
                            name.equals("limit")
                                    ? "must be a number from 1 to " + ReportLedger.MAX_PAGE
                                    : "must be an epoch second")));
                }
            }
        }
        Map<String, List<Long>> cuts = new HashMap<>();
        List<Listed> out = new ArrayList<>();
        for (WindowListing w : ledger.recentWindows(since, limit)) {
            long end = WindowRange.end(w.windowStart(), cuts.computeIfAbsent(w.domain(), ledger::cuts));
            out.add(listed(w, end, now, orgName));
        }
        try {
            return new ApiResponse(
                    200,
                    JSON_TYPE,
                    JSON.writeValueAsBytes(
                            new Listing(mail, out, failureReports == null ? null : failureReports.get())),
                    Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The window's state, in the contract's words: while not reported, {@code pending}
     * ({@code collecting} while its end is ahead), or {@code failed} when a recipient failed
     * temporarily ({@code reason} is the earliest retried recipient's, {@code nextRetry} its retry).
     * Once reported, {@code sent} when at least one recipient got it; otherwise {@code failed} and
     * {@code givenUp}, with no {@code nextRetry}: {@code reason} says why, from the run's outcome
     * ({@code not-sent}, {@code no-recipients}, {@code empty}) or the recipients given up on.
     */
    static Listed listed(WindowListing w, long end, long now, String orgName) {
        String reason = null;
        Long nextRetry = null;
        String givenUpOn = null;
        boolean anySent = false;
        for (WindowListing.Recipient r : w.recipients()) {
            anySent |= "sent".equals(r.status());
            if ("failed".equals(r.status()) && (nextRetry == null || r.nextRetry() < nextRetry)) {
                nextRetry = r.nextRetry();
                reason = r.recipient() + ": " + r.reason();
            } else if ("given-up".equals(r.status())) {
                givenUpOn = (givenUpOn == null ? "" : givenUpOn + "; ") + r.recipient() + ": " + r.reason();
            }
        }
        String state;
        Boolean collecting = null;
        Boolean givenUp = null;
        if (WindowListing.REPORTED.equals(w.state())) {
            String outcome = w.outcome() == null ? "reported" : w.outcome();
            boolean reported = outcome.equals("reported") || outcome.startsWith("reported:");
            if (reported && anySent) {
                state = "sent";
            } else {
                state = "failed";
                givenUp = true;
                if (!reported) {
                    reason = outcome; // e.g. "not-sent: sendAggregateReports is false"
                } else if (outcome.startsWith("reported: ")) {
                    reason = outcome.substring("reported: ".length()); // the run said why
                } else {
                    reason = "no recipient got it" + (givenUpOn == null ? "" : ": " + givenUpOn);
                }
            }
            nextRetry = null;
        } else if (nextRetry != null) {
            state = "failed";
            givenUp = false;
        } else {
            state = "pending";
            collecting = end > now;
        }
        // The id the report will have once sent (it derives from the window: docs/aggregate-reports.md);
        // a collecting window's end may still move with a cut, so it has none yet.
        String reportId = w.reportId() != null || end > now
                ? w.reportId()
                : ReportNames.aggregate(orgName, w.domain(), w.windowStart(), end - 1)
                        .reportId();
        return new Listed(
                w.domain(),
                w.windowStart(),
                end,
                state,
                collecting,
                reportId,
                w.rows(),
                w.messages(),
                w.outcome(),
                w.reportedAt(),
                reason,
                nextRetry,
                givenUp,
                w.recipients().stream().map(Recipient::of).toList());
    }

    /** A send-now body we cannot use. */
    static final class BadBody extends IllegalArgumentException {
        final String field;

        BadBody(String field, String message) {
            super(message);
            this.field = field;
        }
    }
}
