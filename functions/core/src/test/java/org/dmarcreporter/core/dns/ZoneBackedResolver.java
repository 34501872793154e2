package org.dmarcreporter.core.dns;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} that answers from zone text in memory, as a recursive resolver in
 * front of those zones would (SOA in the authority section of negative answers, CNAMEs followed),
 * and counts the questions it gets. Failures can be injected per name. For tests of
 * {@link CachingDnsResolver} and for benchmarks (shared through dmarc-core's test-jar): no network.
 */
public final class ZoneBackedResolver implements Resolver {

    private final ZoneData zones;
    private final AtomicInteger queries = new AtomicInteger();
    private final Map<String, AtomicInteger> queriesByName = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Boolean> timeOuts = new ConcurrentHashMap<>();
    private Duration timeout = Duration.ofSeconds(3);

    private volatile boolean broken;

    public ZoneBackedResolver(String... zoneTexts) {
        this.zones = ZoneFileResolver.fromText(zoneTexts).zones();
    }

    /** Answers questions about {@code name} with this rcode (e.g. {@link Rcode#SERVFAIL}) from now on. */
    public ZoneBackedResolver failWith(String name, int rcode) {
        failures.put(DnsNames.canonical(name), rcode);
        return this;
    }

    /** Questions about {@code name} time out ({@link SocketTimeoutException}) from now on. */
    public ZoneBackedResolver timeOutOn(String name) {
        timeOuts.put(DnsNames.canonical(name), Boolean.TRUE);
        return this;
    }

    /** Every question from now on throws an unchecked exception, as a broken resolver might. */
    public ZoneBackedResolver breakDown() {
        broken = true;
        return this;
    }

    /** Answers {@code name} from the zones again. */
    public ZoneBackedResolver heal(String name) {
        failures.remove(DnsNames.canonical(name));
        timeOuts.remove(DnsNames.canonical(name));
        return this;
    }

    /** Questions received, of any type. */
    public int queries() {
        return queries.get();
    }

    /** Questions received about {@code name}, of any type. */
    public int queries(String name) {
        AtomicInteger n = queriesByName.get(DnsNames.canonical(name));
        return n == null ? 0 : n.get();
    }

    @Override
    public Message send(Message query) throws IOException {
        Record question = query.getQuestion();
        String name = DnsNames.canonical(question.getName());
        queries.incrementAndGet();
        queriesByName.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        if (broken) {
            throw new IllegalStateException("broken resolver");
        }
        if (timeOuts.containsKey(name)) {
            throw new SocketTimeoutException("timed out asking for " + name);
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        response.addRecord(question, Section.QUESTION);
        Integer failure = failures.get(name);
        if (failure != null) {
            response.getHeader().setRcode(failure);
            return response;
        }
        ZoneData.Answer answer = zones.lookup(name, question.getType());
        switch (answer.status()) {
            case NOERROR -> response.getHeader().setRcode(Rcode.NOERROR);
            case NXDOMAIN -> response.getHeader().setRcode(Rcode.NXDOMAIN);
            case TEMPFAIL -> {
                response.getHeader().setRcode(Rcode.SERVFAIL);
                return response;
            }
        }
        for (Record r : answer.records()) {
            response.addRecord(r, Section.ANSWER);
        }
        if (answer.soa() != null) {
            response.addRecord(answer.soa(), Section.AUTHORITY);
        }
        return response;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        try {
            return CompletableFuture.completedFuture(send(query));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void setPort(int port) {}

    @Override
    public void setTCP(boolean flag) {}

    @Override
    public void setIgnoreTruncation(boolean flag) {}

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

    @Override
    public void setTSIGKey(TSIG key) {}

    @Override
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public Duration getTimeout() {
        return timeout;
    }
}
