package org.dmarcreporter.core.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.dmarcreporter.core.api.ApiRequest;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.IngestLimits;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.api.RequestJson;
import org.dmarcreporter.core.api.ResultReader;
import org.dmarcreporter.core.codec.JsonWriting;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.evaluation.Evaluation;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureReportTriggers;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.IngestOutcome;
import org.dmarcreporter.core.store.ResultStore;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;

/**
 * {@code POST /v1/results} ({@code docs/ingest-api.md}), the same for API Gateway and the local runtime: checks
 * the request, evaluates each result, answers with verdicts in request order and stores what the
 * reports need. A rejected request stores nothing: every check happens before the store is called.
 */
public final class IngestService {

    public static final String JSON = "application/json";

    private final DmarcEvaluator evaluator;
    private final ResultStore store;
    private final ReportingSettings settings;
    private final Clock clock;

    public IngestService(DmarcEvaluator evaluator, ResultStore store, ReportingSettings settings, Clock clock) {
        this.evaluator = evaluator;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    public ApiResponse handle(ApiRequest request) {
        if (request.body().length > IngestLimits.MAX_BODY_BYTES) {
            return ProblemJson.tooLarge();
        }
        if (!isJson(request.contentType())) {
            return ProblemJson.of(415, "Unsupported media type", "send the results as application/json");
        }
        String key = request.idempotencyKey();
        if (key != null && !validKey(key)) {
            return ProblemJson.invalid(List.of(new FieldError(
                    null,
                    "Idempotency-Key",
                    "must be 1 to " + IngestLimits.MAX_IDEMPOTENCY_KEY + " characters without control characters")));
        }
        RequestJson.Parsed parsed = RequestJson.parse(request.body());
        if (parsed instanceof RequestJson.Parsed.Invalid invalid) {
            return ProblemJson.invalid(List.of(invalid.error()));
        }
        JsonNode body = ((RequestJson.Parsed.Tree) parsed).body();
        ResultReader.Outcome read = ResultReader.read(body, clock.instant());
        if (read instanceof ResultReader.Outcome.Invalid invalid) {
            return ProblemJson.invalid(invalid.errors());
        }
        ResultReader.Outcome.Results results = (ResultReader.Outcome.Results) read;
        // The key is bound to the body: the same key with another body is refused (422), not
        // answered with the first body's verdicts while its own results are dropped.
        String digest = key == null ? null : "sha256:" + sha256(request.body());
        return evaluateAndStore(results.results(), results.batch(), key, digest);
    }

    private ApiResponse evaluateAndStore(List<AuthenticationResult> results, boolean batch, String key, String digest) {
        // The loops are methods of their own: C2 compiles each hot loop (OSR) with all of its method.
        List<Evaluation> evaluations = evaluate(results);
        List<Verdict> verdicts = verdicts(results, evaluations);
        byte[] response = JsonWriting.bytes(batch ? verdicts : verdicts.get(0));
        IngestOutcome outcome;
        try {
            // Stamped after evaluation, so that slow DNS does not count against the ingest deadline.
            Instant storedAt = clock.instant();
            List<StoredResult> stored = storable(results, evaluations, verdicts, storedAt, key);
            if (stored.isEmpty() && key == null) {
                return new ApiResponse(200, JSON, response);
            }
            // A keyed request goes to the store even with nothing to count: a retry must find its answer.
            outcome =
                    store.ingest(new IngestBatch(key, digest, response, stored, settings.dedupeMessageIds(), storedAt));
        } catch (StoreUnavailableException e) {
            return ProblemJson.unavailable(
                    key == null
                            ? "the results could not be stored now; retry later. Part of them may have been counted "
                                    + "already, and without an Idempotency-Key a retry may count those twice: send a key "
                                    + "with each request to make retries safe"
                            : "the results could not be stored now; retry later with the same Idempotency-Key and "
                                    + "body: no result is counted twice");
        }
        if (outcome instanceof IngestOutcome.Replayed replayed) {
            return new ApiResponse(200, JSON, replayed.response());
        }
        if (outcome instanceof IngestOutcome.KeyReused) {
            return ProblemJson.keyReused();
        }
        if (outcome instanceof IngestOutcome.InProgress) {
            return ProblemJson.of(
                    409, "Request in progress", "a request with this Idempotency-Key is being stored; retry shortly");
        }
        return new ApiResponse(200, JSON, response);
    }

    private static List<Verdict> verdicts(List<AuthenticationResult> results, List<Evaluation> evaluations) {
        List<Verdict> verdicts = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            verdicts.add(evaluations.get(i).toVerdict(results.get(i).messageId()));
        }
        return verdicts;
    }

    /**
     * What the store keeps of the results that go into reports, each in its reporting window.
     * With {@code sendAggregateReports} false no aggregate report is sent (docs/settings.md), so
     * a result is kept only for its failure report, as with {@code sendFailureReports} false no
     * candidate is kept: nothing collects for a report that will not go out. (A kept candidate's
     * row still counts in its window, which the next run marks {@code not-sent}.)
     */
    private List<StoredResult> storable(
            List<AuthenticationResult> results,
            List<Evaluation> evaluations,
            List<Verdict> verdicts,
            Instant storedAt,
            String key) {
        List<StoredResult> stored = new ArrayList<>(results.size());
        Map<String, Long> cuts = new HashMap<>(4);
        for (int i = 0; i < results.size(); i++) {
            AuthenticationResult result = results.get(i);
            Evaluation evaluation = evaluations.get(i);
            if (evaluation.reportable() && !settings.onlyIgnoredRecipients(result.envelopeTo())) {
                long cut = cuts.computeIfAbsent(evaluation.policyDomain(), store::latestCut);
                StoredResult s = toStored(result, evaluation, verdicts.get(i), storedAt, cut, key, i);
                if (settings.sendAggregateReports() || s.failureCandidate() != null) {
                    stored.add(s);
                }
            }
        }
        return stored;
    }

    /**
     * Evaluates in request order. Once {@link IngestLimits#EVALUATION_BUDGET} is spent (DNS servers
     * that do not answer, with a cold cache), the remaining results are answered {@code temperror}
     * without DNS (RFC 9989 §4.10.1 leaves DNS failures to the receiver) and are not stored, so
     * that the request still answers in time; the mail server may post them again.
     */
    private List<Evaluation> evaluate(List<AuthenticationResult> results) {
        Instant giveUp = clock.instant().plus(IngestLimits.EVALUATION_BUDGET);
        List<Evaluation> evaluations = new ArrayList<>(results.size());
        for (AuthenticationResult result : results) {
            evaluations.add(
                    clock.instant().isAfter(giveUp)
                            ? DmarcEvaluator.temporaryError(result)
                            : evaluator.evaluate(result));
        }
        return evaluations;
    }

    private StoredResult toStored(
            AuthenticationResult result,
            Evaluation evaluation,
            Verdict verdict,
            Instant storedAt,
            long cut,
            String key,
            int index) {
        String domain = evaluation.policyDomain();
        ReportingWindow window = ReportingWindows.windowFor(domain, storedAt, cut);
        FailureCandidate candidate = null;
        if (settings.sendFailureReports()) {
            Set<FailureTrigger> triggers = FailureReportTriggers.matching(evaluation, result);
            if (!triggers.isEmpty()) {
                candidate = FailureCandidate.bounded(
                        candidateId(result, domain, key, index),
                        domain,
                        evaluation.record().text(),
                        triggers,
                        result,
                        verdict,
                        storedAt);
            }
        }
        return new StoredResult(
                result.messageId(),
                window,
                evaluation.toRow(result.sourceIp()),
                evaluation.record().text(),
                candidate,
                index);
    }

    /**
     * Stable for the same message, so that a retried write does not create a second candidate:
     * from the messageId when there is one, else from the Idempotency-Key and position.
     */
    static String candidateId(AuthenticationResult result, String domain, String key, int index) {
        String basis;
        if (result.messageId() != null) {
            basis = "msg\u001f" + domain + "\u001f" + result.messageId();
        } else if (key != null) {
            basis = "key\u001f" + key + "\u001f" + index;
        } else {
            return UUID.randomUUID().toString();
        }
        return sha256(basis.getBytes(StandardCharsets.UTF_8));
    }

    /** Unpadded base64url of the SHA-256 of {@code bytes}. */
    private static String sha256(byte[] bytes) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** {@code application/json}, with or without parameters; absent is accepted as JSON. */
    private static boolean isJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** Any string up to 128 characters (docs/ingest-api.md); control characters are refused (they cannot be stored safely in logs). */
    private static boolean validKey(String key) {
        if (key.isEmpty() || key.length() > IngestLimits.MAX_IDEMPOTENCY_KEY) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
