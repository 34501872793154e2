package org.dmarcreporter.failure;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.EnumMap;
import java.util.Map;
import org.dmarcreporter.core.report.dispatch.DispatchResult;

/**
 * One-line log entries of the handlers, through Lambda's logger (stderr outside Lambda). They name
 * candidates, slots and counts, never a quoted header or a mailbox of the reported message.
 */
final class Log {

    private final LambdaLogger logger;

    private Log(LambdaLogger logger) {
        this.logger = logger;
    }

    static Log of(Context context) {
        return new Log(context == null ? null : context.getLogger());
    }

    void line(String text) {
        if (logger != null) {
            logger.log(text + "\n");
        } else {
            System.err.println(text);
        }
    }

    /** {@code sent 2, merged 1, retry 0, ...}: the statuses that occurred, and the notes. */
    static String summary(DispatchResult result) {
        Map<DispatchResult.Status, Long> counts = new EnumMap<>(DispatchResult.Status.class);
        for (DispatchResult.Report r : result.reports()) {
            counts.merge(r.status(), 1L, Long::sum);
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((status, n) -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(status.name().toLowerCase(java.util.Locale.ROOT))
                    .append(' ')
                    .append(n);
        });
        if (b.length() == 0) {
            b.append("nothing to send");
        }
        if (!result.notes().isEmpty()) {
            b.append("; ").append(oneLine(String.join("; ", result.notes())));
        }
        return b.toString();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\x00-\\x1f\\x7f]+", " ").trim();
    }
}
