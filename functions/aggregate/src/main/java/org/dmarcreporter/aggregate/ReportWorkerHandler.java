package org.dmarcreporter.aggregate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dmarcreporter.core.report.run.AggregateRun;
import org.dmarcreporter.core.report.run.ReportLedger.IndexedWindow;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report worker ({@code docs/aggregate-reports.md}, "In AWS"): consumes the work queue, one
 * {@code AggregateRun.report} per message, and answers which messages SQS must keep
 * ({@code ReportBatchItemFailures}):
 *
 * <ul>
 *   <li>done ({@code reported}, {@code already-reported}, {@code not-sent}, {@code no-recipients},
 *       {@code empty}): deleted;
 *   <li>{@code pending} (a recipient failed temporarily and waits for its retry): kept, and made
 *       visible again at the earliest {@code nextRetry} ({@code ChangeMessageVisibility}, at most
 *       12 h), so SQS itself brings the window back when a retry is due;
 *   <li>{@code busy} (another run holds the window's lease and is reporting it): kept, and made
 *       visible again once that lease has surely ended ({@code AggregateRun.LEASE});
 *   <li>{@code error}, a window that has not settled yet, and a message that is not a work item
 *       (poison): kept; SQS delivers it again after the visibility timeout and moves it to the
 *       dead-letter queue after {@code maxReceiveCount} receives. A window whose message went to the
 *       dead-letter queue stays in the unreported index, so the next midnight run queues it again.
 * </ul>
 *
 * Messages left when the invocation is close to its timeout are handed back at once (visibility 0).
 */
public final class ReportWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(ReportWorkerHandler.class);

    /** SQS's longest visibility timeout. */
    static final long MAX_VISIBILITY = 12 * 3600;

    /** Time kept in hand before the timeout: one large window may take this long. */
    static final long RESERVE_MILLIS = 120_000;

    private final ReportFunctions functions;

    /** Lambda's entry point: settings, table and queue from the environment. */
    public ReportWorkerHandler() {
        this(LambdaWiring.fromProcess());
    }

    ReportWorkerHandler(ReportFunctions functions) {
        this.functions = Objects.requireNonNull(functions, "functions");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> messages =
                event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSEvent.SQSMessage message : messages) {
            if (context != null && context.getRemainingTimeInMillis() < RESERVE_MILLIS) {
                LOG.warn("close to the timeout: handing message {} back", message.getMessageId());
                changeVisibility(message, 0);
                failures.add(failure(message));
                continue;
            }
            if (!handle(message)) {
                failures.add(failure(message));
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** True when the message is done with. */
    private boolean handle(SQSEvent.SQSMessage message) {
        IndexedWindow item;
        try {
            item = WorkItem.fromBody(message.getBody());
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "message {} is not a work item ({}): left for the dead-letter queue",
                    message.getMessageId(),
                    e.getMessage());
            return false;
        }
        WindowReport report = functions.run().report(item, false, null, null);
        if (report == null) {
            LOG.warn(
                    "{} window {} has not settled yet: retried after the visibility timeout",
                    item.window().policyDomain(),
                    item.window().start());
            return false;
        }
        LOG.info("{}", logLine(report));
        switch (report.status()) {
            case "error" -> {
                return false;
            }
            case "busy" -> {
                // another run holds the window's lease: by the time it has surely ended, the
                // window is reported (the message is then done) or pending with its own retry
                changeVisibility(message, AggregateRun.LEASE.toSeconds());
                return false;
            }
            case "pending" -> {
                Long next = report.recipients().stream()
                        .map(RecipientReport::nextRetry)
                        .filter(Objects::nonNull)
                        .min(Long::compare)
                        .orElse(null);
                if (next != null) {
                    long now = functions.clock().instant().getEpochSecond();
                    changeVisibility(message, Math.max(0, Math.min(MAX_VISIBILITY, next - now)));
                }
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /**
     * The facts the send-now summary gives for a window, on one log line: domain, window, report
     * id, status (and why), then each recipient with its outcome (and why), so that the midnight
     * run's logs say as much as the invoke's answer ({@code docs/aggregate-reports.md}, "Logs").
     * For example {@code example.com window 1764547200 report 1764547200-example.com@reporter.example:
     * pending; dmarc@example.com sent; gone@example.net given-up (550 5.1.1 no such user);
     * mailto:x@other.example skipped (not authorized)}.
     */
    static String logLine(WindowReport report) {
        StringBuilder line = new StringBuilder()
                .append(report.domain())
                .append(" window ")
                .append(report.windowStart())
                .append(" report ")
                .append(report.reportId() == null ? "-" : report.reportId())
                .append(": ")
                .append(report.status());
        why(line, report.reason());
        for (RecipientReport r : report.recipients()) {
            line.append("; ")
                    .append(r.recipient() == null ? r.uri() : r.recipient())
                    .append(' ')
                    .append(r.status());
            why(line, r.reason());
            if (r.nextRetry() != null) {
                line.append(", next retry ").append(r.nextRetry());
            }
        }
        return line.toString();
    }

    private static void why(StringBuilder line, String reason) {
        if (reason != null) {
            line.append(" (").append(reason).append(')');
        }
    }

    /** Best effort: if it fails, the queue's visibility timeout applies. */
    private void changeVisibility(SQSEvent.SQSMessage message, long seconds) {
        if (message.getReceiptHandle() == null) {
            return;
        }
        try {
            functions
                    .sqs()
                    .changeMessageVisibility(b -> b.queueUrl(functions.queueUrl())
                            .receiptHandle(message.getReceiptHandle())
                            .visibilityTimeout((int) seconds));
        } catch (RuntimeException e) {
            LOG.warn("could not change the visibility of message {}: {}", message.getMessageId(), e.toString());
        }
    }

    private static SQSBatchResponse.BatchItemFailure failure(SQSEvent.SQSMessage message) {
        return SQSBatchResponse.BatchItemFailure.builder()
                .withItemIdentifier(message.getMessageId())
                .build();
    }
}
