package org.dmarcreporter.aggregate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.ProblemJson;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.RunRequest;
import org.dmarcreporter.core.report.run.RunSummary;

/**
 * The aggregate function ({@code docs/send-now.md}, "In AWS"): the EventBridge schedule at
 * 00:00 UTC fans the settled unreported windows out onto the work queue ({@link FanOut}); the
 * send-now event runs {@link AggregateRun} at once and answers with its summary. A bad event is
 * answered with a problem document ({@code status} 400) naming the field; anything else that goes
 * wrong fails the invocation (the schedule's retry then queues the windows again: duplicates are
 * answered {@code already-reported}).
 */
public final class AggregateHandler implements RequestStreamHandler {

    /** Events are a few hundred bytes; a larger one is refused before it is parsed. */
    static final int MAX_EVENT_BYTES = 64 * 1024;

    /**
     * Lambda answers at most 6 MB: a longer summary keeps only the windows that were not simply
     * reported, and if even that is too long, none (the totals always stay).
     */
    static final int MAX_ANSWER_BYTES = 5_000_000;

    /** A dry run lists at most this many would-be messages in its answer (then counts them). */
    static final int MAX_DRY_RUN_MESSAGES = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReportFunctions functions;
    private final int maxAnswerBytes;

    /** Lambda's entry point: settings, table and queue from the environment. */
    public AggregateHandler() {
        this(LambdaWiring.fromProcess());
    }

    AggregateHandler(ReportFunctions functions) {
        this(functions, MAX_ANSWER_BYTES);
    }

    AggregateHandler(ReportFunctions functions, int maxAnswerBytes) {
        this.functions = Objects.requireNonNull(functions, "functions");
        this.maxAnswerBytes = maxAnswerBytes;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(handle(input.readNBytes(MAX_EVENT_BYTES + 1)));
    }

    /** The answer to one event, as the invoke returns it. */
    byte[] handle(byte[] event) {
        AggregateEvent parsed;
        try {
            if (event.length > MAX_EVENT_BYTES) {
                throw new AggregateEvent.InvalidEvent("body", "is larger than " + MAX_EVENT_BYTES + " bytes");
            }
            parsed = AggregateEvent.parse(event);
        } catch (AggregateEvent.InvalidEvent e) {
            return ProblemJson.invalid(List.of(new FieldError(null, e.field(), e.getMessage())))
                    .body();
        }
        if (parsed instanceof AggregateEvent.SendNow s) {
            return sendNow(s);
        }
        return functions.fanOut().run().toJson();
    }

    private byte[] sendNow(AggregateEvent.SendNow event) {
        DryRunMessages messages = new DryRunMessages();
        RunSummary summary = functions
                .run()
                .run(new RunRequest(true, event.domain(), event.dryRun()), event.dryRun() ? messages : null);
        ObjectNode answer = (ObjectNode) tree(summary.toJson());
        if (event.dryRun()) {
            answer.set("messages", messages.list);
            if (messages.omitted > 0) {
                answer.put("messagesOmitted", messages.omitted);
            }
        }
        byte[] bytes = bytes(answer);
        if (bytes.length > maxAnswerBytes) {
            ArrayNode all = (ArrayNode) answer.get("reports");
            ArrayNode kept = JSON.createArrayNode();
            all.forEach(r -> {
                if (!"reported".equals(r.path("status").asText())) {
                    kept.add(r);
                }
            });
            answer.set("reports", kept);
            answer.put("reportsOmitted", all.size() - kept.size());
            answer.remove("messages");
            bytes = bytes(answer);
            if (bytes.length > maxAnswerBytes) {
                answer.set("reports", JSON.createArrayNode());
                answer.put("reportsOmitted", all.size());
                bytes = bytes(answer);
            }
        }
        return bytes;
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("summary is not JSON", e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a dry run in AWS does with the messages it would send: there is no folder to write
     * {@code .eml} files to, so the answer lists each message's name, Message-ID, recipients and
     * size in bytes instead (nothing is sent, recorded or cut).
     */
    private static final class DryRunMessages implements AggregateRun.DryRunSink {
        final ArrayNode list = JSON.createArrayNode();
        int omitted;

        @Override
        public synchronized void write(String name, OutgoingMail mail) {
            if (list.size() >= MAX_DRY_RUN_MESSAGES) {
                omitted++;
                return;
            }
            ObjectNode m = list.addObject();
            m.put("name", name);
            m.put("messageId", mail.messageId());
            ArrayNode to = m.putArray("recipients");
            mail.recipients().forEach(to::add);
            m.put("bytes", mail.message().length);
        }
    }
}
