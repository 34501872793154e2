package org.dmarcreporter.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.ZoneBackedResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.evaluation.Evaluation;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * DMARC evaluation of one message with a warm DNS cache: {@link DmarcEvaluator#evaluate} over a
 * {@link CachingDnsResolver} whose upstream is an in-memory zone ({@link ZoneBackedResolver}), after
 * every message was evaluated once, so that every DNS answer comes from the cache. Messages cycle
 * through {@value #MESSAGES} results from 1,000 From domains ({@link BenchmarkData}). Goal:
 * 500,000 evaluations per second on one core ({@code -t 1 -f 1}; see scripts/bench-evaluation).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class EvaluationBenchmark {

    static final int MESSAGES = 8192;

    /** Shared by all benchmark threads, as one evaluator is shared by a server's threads. */
    @State(Scope.Benchmark)
    public static class Warm {
        DmarcEvaluator evaluator;
        AuthenticationResult[] messages;
        ZoneBackedResolver upstream;
        int queriesWhenWarm;

        @Setup(Level.Trial)
        public void warmUp() {
            BenchmarkData data = new BenchmarkData();
            upstream = new ZoneBackedResolver(data.zoneText());
            evaluator = new DmarcEvaluator(new CachingDnsResolver(upstream, Clock.systemUTC()));
            List<AuthenticationResult> generated = data.messages(MESSAGES);
            messages = generated.toArray(new AuthenticationResult[0]);
            Map<DmarcResult, Integer> results = new EnumMap<>(DmarcResult.class);
            for (AuthenticationResult message : messages) {
                results.merge(evaluator.evaluate(message).result(), 1, Integer::sum);
            }
            queriesWhenWarm = upstream.queries();
            System.out.printf(
                    "%n%d messages from %d From domains; DMARC results %s; %d DNS questions to warm the cache%n",
                    messages.length, data.fromDomains().size(), results, queriesWhenWarm);
        }

        @TearDown(Level.Trial)
        public void checkStillWarm() {
            System.out.printf(
                    "%nDNS questions after warm-up: %d (0 means every lookup was a cache hit)%n",
                    upstream.queries() - queriesWhenWarm);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private int next;
    private long operations;
    private long cpuAtStart;
    private long measuredOperations;
    private long measuredCpuNanos;

    @Benchmark
    public Evaluation evaluate(Warm warm) {
        AuthenticationResult message = warm.messages[next];
        next = (next + 1) & (MESSAGES - 1);
        operations++;
        return warm.evaluator.evaluate(message);
    }

    /*
     * The machine is shared, so wall-clock throughput drops when other processes take the core.
     * Evaluations per CPU-second of the benchmark thread is printed alongside: it tells what one
     * core does when it is not taken away.
     */
    @Setup(Level.Iteration)
    public void startIteration() {
        operations = 0;
        cpuAtStart = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration(IterationParams params) {
        if (params.getType() == IterationType.MEASUREMENT) {
            measuredOperations += operations;
            measuredCpuNanos += THREADS.getCurrentThreadCpuTime() - cpuAtStart;
        }
    }

    @TearDown(Level.Trial)
    public void printCpuRate() {
        if (measuredCpuNanos > 0) {
            System.out.printf(
                    "%nPer CPU-second of the benchmark thread: %.0f evaluations (measurement iterations)%n",
                    measuredOperations / (measuredCpuNanos / 1e9));
        }
    }
}
