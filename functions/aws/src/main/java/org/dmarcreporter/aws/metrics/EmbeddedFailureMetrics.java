package org.dmarcreporter.aws.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.dmarcreporter.core.report.dispatch.FailureMetrics;

/**
 * The failure sender's counters as CloudWatch embedded metrics (EMF): counts are kept in memory
 * and {@link #emit()} writes them as one JSON log line, which CloudWatch Logs turns into metrics
 * of namespace {@link #NAMESPACE} without any API call (docs/failure-reports.md, "In AWS").
 *
 * <p>Every counter the port names is in each line, zeros included, so a metric has a data point
 * for every invocation and an alarm on it never sees "missing data" because nothing happened.
 * {@link #add} never throws and never blocks; {@link #emit} resets the counts it wrote.
 */
public final class EmbeddedFailureMetrics implements FailureMetrics {

    /** The CloudWatch namespace of the metrics. */
    public static final String NAMESPACE = "DmarcReporter/FailureReports";

    /** The counters of the port, in the order they are written. */
    static final List<String> KNOWN = List.of(SENT, MERGED, RATE_LIMITED, ALREADY_SENT, FAILED, SKIPPED, RETRIED);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, String> dimensions;
    private final Consumer<String> out;
    private final Clock clock;

    /**
     * @param dimensions CloudWatch dimensions of every metric (name → value), may be empty
     * @param out        where the line goes: {@code System.out::println} in Lambda (its log)
     */
    public EmbeddedFailureMetrics(Map<String, String> dimensions, Consumer<String> out, Clock clock) {
        this.dimensions = new LinkedHashMap<>(dimensions);
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void add(String counter, long n) {
        if (counter == null || n <= 0) {
            return;
        }
        counts.computeIfAbsent(counter, c -> new LongAdder()).add(n);
    }

    /** The line for the counts so far (and resets them); null never. */
    public String emit() {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        for (String name : KNOWN) {
            snapshot.put(name, take(name));
        }
        List<String> others = new ArrayList<>(counts.keySet());
        others.removeAll(KNOWN);
        others.sort(null);
        for (String name : others) {
            snapshot.put(name, take(name));
        }
        String line = line(snapshot);
        try {
            out.accept(line);
        } catch (RuntimeException e) {
            // A lost metrics line must not fail the batch (FailureMetrics: never throws).
        }
        return line;
    }

    private long take(String name) {
        LongAdder adder = counts.get(name);
        return adder == null ? 0 : adder.sumThenReset();
    }

    private String line(Map<String, Long> values) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        ArrayNode set = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(set::add);
        ArrayNode metrics = directive.putArray("Metrics");
        for (String name : values.keySet()) {
            metrics.addObject().put("Name", name).put("Unit", "Count");
        }
        dimensions.forEach(root::put);
        values.forEach(root::put);
        return root.toString();
    }
}
