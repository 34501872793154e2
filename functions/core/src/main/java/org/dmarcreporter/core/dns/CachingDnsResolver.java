package org.dmarcreporter.core.dns;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks the network through a dnsjava {@link Resolver} and keeps answers for as long as the DNS
 * allows (RFC 9989 §11.6 asks receivers to cache DMARC lookups):
 * <ul>
 *   <li>records: the smallest TTL of the answer section (TXT and any CNAMEs leading to it), capped;</li>
 *   <li>NXDOMAIN and NODATA: the negative TTL of RFC 2308 §5, min(SOA TTL, SOA MINIMUM) of the
 *       authority section, capped; a default when the answer carries no SOA. RFC 2308 §5 says not
 *       to cache those at all, against loops between caching servers; this cache serves no one, so a
 *       short default spares the upstream resolver;</li>
 *   <li>TEMPFAIL (time-out, SERVFAIL, REFUSED, any other error): briefly ({@link Limits#tempFail()},
 *       5 s by default), so that a burst of mail for a domain whose servers are down does not wait
 *       on a network time-out per message, while a later message soon tries again.</li>
 * </ul>
 * A TTL of 0 is honoured: such answers are not kept. Lookups of a cached name cost one hash-map
 * read; only misses build dnsjava messages. Thread-safe. At most {@link Limits#maxEntries()}
 * answers are kept per question type; when full, expired entries are swept and, if that is not
 * enough, arbitrary entries (hash order) are dropped down to 90 %. Concurrent misses for one name
 * each query the network (no request coalescing: misses are rare and answers idempotent).
 * Never throws for DNS failures: every failure is {@link DnsStatus#TEMPFAIL}.
 */
public final class CachingDnsResolver implements DnsResolver {

    /**
     * Cache bounds.
     *
     * @param maxPositive     cap on the TTL of records
     * @param maxNegative     cap on the TTL of NXDOMAIN/NODATA
     * @param defaultNegative negative TTL when the answer holds no SOA
     * @param tempFail        how long a TEMPFAIL is kept ({@link Duration#ZERO}: not at all)
     * @param maxEntries      entries per question type (TXT, existence)
     */
    public record Limits(
            Duration maxPositive, Duration maxNegative, Duration defaultNegative, Duration tempFail, int maxEntries) {

        public static final Limits DEFAULT = new Limits(
                Duration.ofHours(1), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofSeconds(5), 100_000);

        public Limits {
            for (Duration d : List.of(maxPositive, maxNegative, defaultNegative, tempFail)) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("cache durations must not be negative: " + d);
                }
            }
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
            }
        }
    }

    /** Time-out for one question, all servers and retries included. */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
    /** Time-out for one try at one server. */
    static final Duration SERVER_TIMEOUT = Duration.ofSeconds(2);

    private final Resolver resolver;
    private final Clock clock;
    private final Limits limits;
    private final ConcurrentHashMap<String, Cached<TxtAnswer>> txtCache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Cached<DnsStatus>> existsCache = new ConcurrentHashMap<>();
    private final ReentrantLock sweeping = new ReentrantLock();

    /** One kept answer; valid while the clock reads less than {@code expiresAtMillis}. */
    private record Cached<T>(T value, long expiresAtMillis) {}

    public CachingDnsResolver(Resolver resolver, Clock clock, Limits limits) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public CachingDnsResolver(Resolver resolver, Clock clock) {
        this(resolver, clock, Limits.DEFAULT);
    }

    public CachingDnsResolver(Resolver resolver) {
        this(resolver, Clock.systemUTC(), Limits.DEFAULT);
    }

    /**
     * Through the resolvers the system is configured with ({@code /etc/resolv.conf} and the like,
     * via dnsjava's {@code ResolverConfig}), with {@link #QUERY_TIMEOUT}.
     */
    public static CachingDnsResolver system() {
        ExtendedResolver resolver = new ExtendedResolver();
        for (Resolver server : resolver.getResolvers()) {
            server.setTimeout(SERVER_TIMEOUT);
        }
        resolver.setTimeout(QUERY_TIMEOUT);
        return new CachingDnsResolver(resolver);
    }

    @Override
    public TxtAnswer txt(String name) {
        long now = clock.millis();
        // Keys are canonical, so a hit on the name as given means it was canonical: callers pass
        // normalised names, and the hot path then skips DnsNames.canonical.
        Cached<TxtAnswer> hit = txtCache.get(Objects.requireNonNull(name, "name"));
        if (hit != null && now < hit.expiresAtMillis()) {
            return hit.value();
        }
        String key = DnsNames.canonical(name);
        if (key == null) {
            return TxtAnswer.NXDOMAIN; // not a valid domain name: nothing can exist there
        }
        if (!key.equals(name)) {
            hit = txtCache.get(key);
            if (hit != null && now < hit.expiresAtMillis()) {
                return hit.value();
            }
        }
        Fetched<TxtAnswer> fetched = fetchTxt(key);
        put(txtCache, key, fetched, now);
        return fetched.value();
    }

    @Override
    public DnsStatus exists(String name) {
        long now = clock.millis();
        Cached<DnsStatus> hit = existsCache.get(Objects.requireNonNull(name, "name")); // as in txt()
        if (hit != null && now < hit.expiresAtMillis()) {
            return hit.value();
        }
        String key = DnsNames.canonical(name);
        if (key == null) {
            return DnsStatus.NXDOMAIN;
        }
        hit = key.equals(name) ? null : existsCache.get(key);
        if (hit != null && now < hit.expiresAtMillis()) {
            return hit.value();
        }
        Fetched<DnsStatus> fetched = fetchExists(key);
        put(existsCache, key, fetched, now);
        return fetched.value();
    }

    /** Entries currently held (expired ones included until swept); for tests and metrics. */
    public int size() {
        return txtCache.size() + existsCache.size();
    }

    /** A value and how many seconds it may be kept. */
    private record Fetched<T>(T value, long ttlSeconds) {}

    private Fetched<TxtAnswer> fetchTxt(String name) {
        Message response = query(name, Type.TXT);
        if (response == null) {
            return tempFail(TxtAnswer.TEMPFAIL);
        }
        int rcode = response.getRcode();
        List<Record> answers = response.getSection(Section.ANSWER);
        if (rcode == Rcode.NOERROR) {
            List<String> texts = ZoneFileResolver.texts(answers);
            if (!texts.isEmpty()) {
                return new Fetched<>(TxtAnswer.of(texts), positiveTtl(answers));
            }
            return new Fetched<>(TxtAnswer.of(List.of()), negativeTtl(response));
        }
        if (rcode == Rcode.NXDOMAIN) {
            // RFC 6604: behind a CNAME the rcode is about the chain's end; the name asked exists.
            TxtAnswer answer = answers.isEmpty() ? TxtAnswer.NXDOMAIN : TxtAnswer.of(List.of());
            return new Fetched<>(answer, negativeTtl(response));
        }
        return tempFail(TxtAnswer.TEMPFAIL);
    }

    private Fetched<DnsStatus> fetchExists(String name) {
        // Any type will do: NXDOMAIN means no records of any type, at or below the name (RFC 8020).
        Message response = query(name, Type.A);
        if (response == null) {
            return tempFail(DnsStatus.TEMPFAIL);
        }
        int rcode = response.getRcode();
        List<Record> answers = response.getSection(Section.ANSWER);
        if (rcode == Rcode.NOERROR) {
            return new Fetched<>(DnsStatus.NOERROR, answers.isEmpty() ? negativeTtl(response) : positiveTtl(answers));
        }
        if (rcode == Rcode.NXDOMAIN) {
            return new Fetched<>(answers.isEmpty() ? DnsStatus.NXDOMAIN : DnsStatus.NOERROR, negativeTtl(response));
        }
        return tempFail(DnsStatus.TEMPFAIL);
    }

    /** The response, or null on any failure to get one (time-out, I/O, dnsjava error). */
    private Message query(String name, int type) {
        try {
            Name qname = DnsNames.toName(name);
            return resolver.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
        } catch (TextParseException e) {
            return null; // cannot happen for canonical text; treated like any failure
        } catch (Exception e) {
            // IOException (incl. SocketTimeoutException) and anything a resolver implementation throws.
            return null;
        }
    }

    private <T> Fetched<T> tempFail(T value) {
        return new Fetched<>(value, -1);
    }

    private long positiveTtl(List<Record> answers) {
        long ttl = Long.MAX_VALUE;
        for (Record r : answers) {
            ttl = Math.min(ttl, r.getTTL());
        }
        return Math.min(ttl, limits.maxPositive().toSeconds());
    }

    /** RFC 2308 §5: the SOA's TTL, itself no more than its MINIMUM field (§3). */
    private long negativeTtl(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(
                        Math.min(soa.getTTL(), soa.getMinimum()),
                        limits.maxNegative().toSeconds());
            }
        }
        return Math.min(
                limits.defaultNegative().toSeconds(), limits.maxNegative().toSeconds());
    }

    private <T> void put(ConcurrentHashMap<String, Cached<T>> cache, String key, Fetched<T> fetched, long now) {
        long keepMillis = fetched.ttlSeconds() < 0 ? limits.tempFail().toMillis() : fetched.ttlSeconds() * 1000;
        if (keepMillis <= 0) {
            cache.remove(key);
            return;
        }
        if (cache.size() >= limits.maxEntries()) {
            makeRoom(cache, now);
        }
        cache.put(key, new Cached<>(fetched.value(), now + keepMillis));
    }

    /** Drops expired entries, then arbitrary ones down to 90 % of the bound; one thread at a time. */
    private <T> void makeRoom(ConcurrentHashMap<String, Cached<T>> cache, long now) {
        if (!sweeping.tryLock()) {
            return; // another thread is sweeping; going briefly over the bound is harmless
        }
        try {
            cache.values().removeIf(c -> c.expiresAtMillis() <= now);
            int target = limits.maxEntries() - Math.max(1, limits.maxEntries() / 10);
            Iterator<Map.Entry<String, Cached<T>>> it = cache.entrySet().iterator();
            while (cache.size() > target && it.hasNext()) {
                it.next();
                it.remove();
            }
        } finally {
            sweeping.unlock();
        }
    }
}
