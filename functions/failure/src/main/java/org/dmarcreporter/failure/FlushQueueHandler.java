package org.dmarcreporter.failure;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.aws.sqs.SqsFlushScheduler;
import org.dmarcreporter.aws.sqs.SqsFlushScheduler.Flush;
import org.dmarcreporter.core.report.dispatch.DispatchResult;

/**
 * The flush queue ({@code docs/failure-reports.md}, "In AWS"): each message names a merge slot
 * whose window is over; {@code FailureDispatcher.flush} sends what it holds as one report with
 * {@code Incidents: N}. A message delivered twice finds the slot taken and sends nothing.
 *
 * <p>A message that arrives more than a second before its {@code dueAt} (SQS delays at most 15
 * minutes; a rate-limited slot may be due later) is put back with the remaining delay instead. A
 * message that cannot be read, or whose flush fails, is answered as a batch item failure: SQS
 * delivers it again after the visibility timeout and, after the queue's maxReceiveCount, moves it
 * to the dead-letter queue.
 */
public final class FlushQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final FailureFunction function;

    /** Lambda's entry point: everything from the environment ({@code template.yaml}). */
    public FlushQueueHandler() {
        this(FailureFunction.fromProcess("flush"));
    }

    FlushQueueHandler(FailureFunction function) {
        this.function = Objects.requireNonNull(function, "function");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log log = Log.of(context);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSMessage> messages = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSMessage message : messages) {
            String id = message.getMessageId();
            Flush flush;
            try {
                flush = SqsFlushScheduler.parse(message.getBody());
            } catch (IllegalArgumentException e) {
                log.line("failure flush: unreadable message " + id + ": " + Log.oneLine(e.getMessage())
                        + "; reported as failed, it goes to the dead-letter queue");
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
                continue;
            }
            try {
                long now = function.now();
                if (flush.dueAt() > now + 1) {
                    function.scheduler().scheduleFlush(flush.slotKey(), flush.dueAt());
                    continue;
                }
                DispatchResult result = function.dispatcher().flush(flush.slotKey(), now);
                if (!result.reports().isEmpty()) {
                    log.line("failure flush: slot " + Log.oneLine(flush.slotKey()) + ": " + Log.summary(result));
                }
                if (result.retry()) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(id));
                }
            } catch (RuntimeException e) {
                log.line("failure flush: slot " + Log.oneLine(flush.slotKey()) + " failed: "
                        + Log.oneLine(e.toString()));
                failures.add(new SQSBatchResponse.BatchItemFailure(id));
            }
        }
        function.metrics().emit();
        return new SQSBatchResponse(failures);
    }
}
