package org.dmarcreporter.bench;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneBackedResolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one warm {@link CachingDnsResolver#txt} lookup, as DMARC discovery asks it: a name
 * freshly built by concatenation (so its hash is not cached), found in a cache of a few thousand
 * entries. Shows how much of {@link EvaluationBenchmark} the resolver accounts for.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class DnsCacheBenchmark {

    private String[] domains;
    private CachingDnsResolver dns;
    private int next;

    @Setup
    public void warmUp() {
        BenchmarkData data = new BenchmarkData();
        dns = new CachingDnsResolver(new ZoneBackedResolver(data.zoneText()), Clock.systemUTC());
        domains = data.fromDomains().toArray(new String[0]);
        for (String domain : domains) {
            dns.txt("_dmarc." + domain);
        }
    }

    @Benchmark
    public TxtAnswer warmTxtLookup() {
        String domain = domains[next];
        if (++next == domains.length) {
            next = 0;
        }
        return dns.txt("_dmarc." + domain);
    }
}
