package org.dmarcreporter.failure;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.core.report.dispatch.DispatchResult;
import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * The candidates table's DynamoDB stream ({@code docs/failure-reports.md}, "In AWS"): each INSERT
 * record is one candidate, dispatched once per delivery. Records whose dispatch asks for a retry
 * (DNS or mail failed temporarily), fails, or that cannot be read (a poison record) are answered
 * as batch item failures; every other record of the batch is still dispatched.
 *
 * <p>Lambda then retries from the lowest failed sequence number, so records after a failed one are
 * delivered again: their send markers make that repeat send nothing. After the event source
 * mapping's bounded retries the failed range goes to the on-failure queue and the shard moves on.
 * Records left when the invocation is about to time out are answered as failures too, undone,
 * instead of letting the timeout fail the whole batch.
 */
public final class FailureStreamHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    /** Stop taking new records when less than this is left of the invocation. */
    static final long TIME_MARGIN_MILLIS = 20_000;

    private final FailureFunction function;

    /** Lambda's entry point: everything from the environment ({@code template.yaml}). */
    public FailureStreamHandler() {
        this(FailureFunction.fromProcess("stream"));
    }

    FailureStreamHandler(FailureFunction function) {
        this.function = Objects.requireNonNull(function, "function");
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        Log log = Log.of(context);
        List<BatchItemFailure> failures = new ArrayList<>();
        List<DynamodbStreamRecord> records =
                event == null || event.getRecords() == null ? List.of() : event.getRecords();
        boolean stopped = false;
        for (DynamodbStreamRecord record : records) {
            String sequence = CandidateRecords.sequenceNumber(record);
            if (outOfTime(context)) {
                // Lambda retries from the lowest failed record: the rest goes with it.
                if (!stopped) {
                    log.line("failure stream: out of time at record " + sequence + "; it and the rest are retried");
                    stopped = true;
                }
                failures.add(new BatchItemFailure(sequence));
                continue;
            }
            if (!CandidateRecords.isInsert(record)) {
                continue;
            }
            FailureCandidate candidate;
            try {
                candidate = CandidateRecords.candidate(record);
            } catch (IllegalArgumentException e) {
                log.line("failure stream: poison record " + sequence + " (" + keyOf(record) + "): "
                        + Log.oneLine(e.getMessage()) + "; reported as failed, it goes to the on-failure queue");
                failures.add(new BatchItemFailure(sequence));
                continue;
            }
            try {
                DispatchResult result = function.dispatcher().dispatch(candidate, function.now());
                log.line("failure stream: candidate " + candidate.id() + ": " + Log.summary(result));
                if (result.retry()) {
                    failures.add(new BatchItemFailure(sequence));
                }
            } catch (RuntimeException e) {
                log.line("failure stream: candidate " + candidate.id() + " failed: " + Log.oneLine(e.toString()));
                failures.add(new BatchItemFailure(sequence));
            }
        }
        function.metrics().emit();
        return new StreamsEventResponse(failures);
    }

    private static boolean outOfTime(Context context) {
        return context != null && context.getRemainingTimeInMillis() < TIME_MARGIN_MILLIS;
    }

    private static String keyOf(DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null) {
            return "no keys";
        }
        var pk = record.getDynamodb().getKeys().get("pk");
        return "pk " + (pk == null ? "missing" : Log.oneLine(pk.getS()));
    }
}
