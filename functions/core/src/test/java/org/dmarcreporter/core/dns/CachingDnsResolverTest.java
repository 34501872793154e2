package org.dmarcreporter.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dmarcreporter.core.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;

class CachingDnsResolverTest {

    /** SOA TTL 3600, MINIMUM 300: negative answers live 300 s (RFC 2308 §5). */
    private static final String ZONE = """
            $ORIGIN example.com.
            @        3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
            @        3600 IN NS  ns1
            ns1      3600 IN A   192.0.2.1
            _dmarc    600 IN TXT "v=DMARC1; " "p=reject; " "adkim=s"
            multi      60 IN TXT "one"
            multi     120 IN TXT "two"
            long    86400 IN TXT "kept an hour at most"
            zero        0 IN TXT "never kept"
            www       600 IN A   192.0.2.80
            leaf.ent  600 IN TXT "leaf"
            alias      30 IN CNAME _dmarc
            dangling  600 IN CNAME gone.example.com.
            """;
    /** SOA TTL 60 below MINIMUM 900: the TTL wins (RFC 2308 §3). */
    private static final String SHORT_SOA = """
            $ORIGIN short.test.
            @    60 IN SOA ns1 hostmaster 1 7200 900 1209600 900
            www 600 IN A 192.0.2.2
            """;
    /** MINIMUM of a day: capped at 15 minutes. */
    private static final String LONG_SOA = """
            $ORIGIN long.test.
            @ 86400 IN SOA ns1 hostmaster 1 7200 900 1209600 86400
            www 600 IN A 192.0.2.3
            """;
    /** No SOA: negative answers carry none, the default of 5 minutes applies. */
    private static final String NO_SOA = """
            www.nosoa.test. 600 IN A 192.0.2.4
            """;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final ZoneBackedResolver upstream = new ZoneBackedResolver(ZONE, SHORT_SOA, LONG_SOA, NO_SOA);
    private final CachingDnsResolver dns = new CachingDnsResolver(upstream, clock);

    @Test
    void multiStringTxtIsConcatenated() {
        assertThat(dns.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.of(List.of("v=DMARC1; p=reject; adkim=s")));
    }

    @Test
    void answerIsServedFromCacheWithinItsTtl() {
        TxtAnswer first = dns.txt("_dmarc.example.com");
        clock.advance(Duration.ofSeconds(599));
        TxtAnswer second = dns.txt("_dmarc.example.com");
        assertThat(second).isEqualTo(first);
        assertThat(upstream.queries("_dmarc.example.com")).isEqualTo(1);
    }

    @Test
    void answerIsFetchedAgainOnceItsTtlHasPassed() {
        dns.txt("_dmarc.example.com");
        clock.advance(Duration.ofSeconds(600));
        assertThat(dns.txt("_dmarc.example.com").records()).containsExactly("v=DMARC1; p=reject; adkim=s");
        assertThat(upstream.queries("_dmarc.example.com")).isEqualTo(2);
    }

    @Test
    void rrsetIsKeptForItsSmallestTtl() {
        assertThat(dns.txt("multi.example.com").records()).containsExactlyInAnyOrder("one", "two");
        clock.advance(Duration.ofSeconds(59));
        dns.txt("multi.example.com");
        assertThat(upstream.queries("multi.example.com")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("multi.example.com");
        assertThat(upstream.queries("multi.example.com")).isEqualTo(2);
    }

    @Test
    void cnameTtlLimitsHowLongTheTargetsRecordsAreKept() {
        assertThat(dns.txt("alias.example.com").records()).containsExactly("v=DMARC1; p=reject; adkim=s");
        clock.advance(Duration.ofSeconds(30));
        dns.txt("alias.example.com");
        assertThat(upstream.queries("alias.example.com")).isEqualTo(2);
    }

    @Test
    void longTtlIsCappedAtOneHour() {
        dns.txt("long.example.com");
        clock.advance(Duration.ofSeconds(3599));
        dns.txt("long.example.com");
        assertThat(upstream.queries("long.example.com")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("long.example.com");
        assertThat(upstream.queries("long.example.com")).isEqualTo(2);
    }

    @Test
    void zeroTtlAnswerIsNotKept() {
        assertThat(dns.txt("zero.example.com").records()).containsExactly("never kept");
        dns.txt("zero.example.com");
        assertThat(upstream.queries("zero.example.com")).isEqualTo(2);
        assertThat(dns.size()).isZero();
    }

    @Test
    void nxdomainIsKeptForTheSoaMinimum() {
        assertThat(dns.txt("_dmarc.missing.example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        clock.advance(Duration.ofSeconds(299));
        assertThat(dns.txt("_dmarc.missing.example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        assertThat(upstream.queries("_dmarc.missing.example.com")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("_dmarc.missing.example.com");
        assertThat(upstream.queries("_dmarc.missing.example.com")).isEqualTo(2);
    }

    @Test
    void nodataIsKeptForTheSoaMinimum() {
        assertThat(dns.txt("www.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
        clock.advance(Duration.ofSeconds(299));
        dns.txt("www.example.com");
        assertThat(upstream.queries("www.example.com")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("www.example.com");
        assertThat(upstream.queries("www.example.com")).isEqualTo(2);
    }

    @Test
    void negativeTtlIsTheSoaTtlWhenBelowItsMinimum() {
        dns.txt("_dmarc.short.test");
        clock.advance(Duration.ofSeconds(59));
        dns.txt("_dmarc.short.test");
        assertThat(upstream.queries("_dmarc.short.test")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("_dmarc.short.test");
        assertThat(upstream.queries("_dmarc.short.test")).isEqualTo(2);
    }

    @Test
    void negativeTtlIsCappedAtFifteenMinutes() {
        dns.txt("_dmarc.long.test");
        clock.advance(Duration.ofSeconds(899));
        dns.txt("_dmarc.long.test");
        assertThat(upstream.queries("_dmarc.long.test")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("_dmarc.long.test");
        assertThat(upstream.queries("_dmarc.long.test")).isEqualTo(2);
    }

    @Test
    void negativeAnswerWithoutSoaIsKeptFiveMinutes() {
        assertThat(dns.txt("_dmarc.nosoa.test")).isEqualTo(TxtAnswer.NXDOMAIN);
        clock.advance(Duration.ofSeconds(299));
        dns.txt("_dmarc.nosoa.test");
        assertThat(upstream.queries("_dmarc.nosoa.test")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        dns.txt("_dmarc.nosoa.test");
        assertThat(upstream.queries("_dmarc.nosoa.test")).isEqualTo(2);
    }

    @Test
    void servfailIsTempfailKeptOnlyFiveSeconds() {
        upstream.failWith("_dmarc.example.com", Rcode.SERVFAIL);
        assertThat(dns.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.TEMPFAIL);
        clock.advance(Duration.ofSeconds(4));
        assertThat(dns.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.TEMPFAIL);
        assertThat(upstream.queries("_dmarc.example.com")).isEqualTo(1);
        upstream.heal("_dmarc.example.com");
        clock.advance(Duration.ofSeconds(1));
        assertThat(dns.txt("_dmarc.example.com").status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(upstream.queries("_dmarc.example.com")).isEqualTo(2);
    }

    @Test
    void refusedIsTempfail() {
        upstream.failWith("_dmarc.example.com", Rcode.REFUSED);
        assertThat(dns.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.TEMPFAIL);
        assertThat(dns.exists("_dmarc.example.com")).isEqualTo(DnsStatus.TEMPFAIL);
    }

    @Test
    void timeoutIsTempfail() {
        upstream.timeOutOn("_dmarc.example.com").timeOutOn("example.com");
        assertThat(dns.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.TEMPFAIL);
        assertThat(dns.exists("example.com")).isEqualTo(DnsStatus.TEMPFAIL);
    }

    @Test
    void tempfailIsNotKeptWhenConfiguredSo() {
        CachingDnsResolver uncached = new CachingDnsResolver(
                upstream,
                clock,
                new CachingDnsResolver.Limits(
                        Duration.ofHours(1), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ZERO, 100));
        upstream.failWith("_dmarc.example.com", Rcode.SERVFAIL);
        uncached.txt("_dmarc.example.com");
        uncached.txt("_dmarc.example.com");
        assertThat(upstream.queries("_dmarc.example.com")).isEqualTo(2);
    }

    @Test
    void resolverThatThrowsAnythingGivesTempfail() {
        CachingDnsResolver broken = new CachingDnsResolver(new ZoneBackedResolver("$ORIGIN .\n").breakDown(), clock);
        assertThat(broken.txt("_dmarc.example.com")).isEqualTo(TxtAnswer.TEMPFAIL);
        assertThat(broken.exists("example.com")).isEqualTo(DnsStatus.TEMPFAIL);
    }

    @Test
    void existsTellsNxdomainFromNoerror() {
        assertThat(dns.exists("example.com")).isEqualTo(DnsStatus.NOERROR);
        assertThat(dns.exists("www.example.com")).isEqualTo(DnsStatus.NOERROR);
        assertThat(dns.exists("ent.example.com")).isEqualTo(DnsStatus.NOERROR);
        assertThat(dns.exists("missing.example.com")).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(dns.exists("missing.example.com")).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(upstream.queries("missing.example.com")).isEqualTo(1);
    }

    @Test
    void aliasOfAMissingNameExistsThoughItsTargetDoesNot() {
        // RFC 6604: the NXDOMAIN rcode speaks of the CNAME's target.
        assertThat(dns.txt("dangling.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
        assertThat(dns.exists("dangling.example.com")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void namesDifferingInCaseOrTrailingDotShareOneEntry() {
        dns.txt("_dmarc.example.com");
        dns.txt("_DMARC.Example.COM.");
        assertThat(upstream.queries()).isEqualTo(1);
    }

    @Test
    void invalidNameIsNxdomainWithoutAQuery() {
        assertThat(dns.txt("a..example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        assertThat(dns.exists("x".repeat(64) + ".com")).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(upstream.queries()).isZero();
    }

    @Test
    void cacheStaysWithinItsBound() {
        CachingDnsResolver small = new CachingDnsResolver(
                upstream,
                clock,
                new CachingDnsResolver.Limits(
                        Duration.ofHours(1), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofSeconds(5), 10));
        for (int i = 0; i < 100; i++) {
            assertThat(small.txt("n" + i + ".example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        }
        assertThat(small.size()).isBetween(1, 10);
    }

    @Test
    void expiredEntriesAreSweptBeforeLiveOnesWhenFull() {
        CachingDnsResolver small = new CachingDnsResolver(
                upstream,
                clock,
                new CachingDnsResolver.Limits(
                        Duration.ofHours(1), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofSeconds(5), 10));
        for (int i = 0; i < 9; i++) {
            small.txt("old" + i + ".example.com"); // NXDOMAIN, kept 300 s
        }
        clock.advance(Duration.ofSeconds(300));
        small.txt("_dmarc.example.com");
        small.txt("multi.example.com"); // cache full: the nine expired entries go, the live one stays
        int before = upstream.queries();
        small.txt("_dmarc.example.com");
        assertThat(upstream.queries()).isEqualTo(before);
        assertThat(small.size()).isEqualTo(2);
    }

    @Test
    void concurrentLookupsAllGetTheRightAnswers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    boolean ok = true;
                    for (int i = 0; i < 2_000; i++) {
                        ok &= dns.txt("_dmarc.example.com").records().equals(List.of("v=DMARC1; p=reject; adkim=s"));
                        ok &= dns.txt("_dmarc.n" + (i % 50) + ".example.com").equals(TxtAnswer.NXDOMAIN);
                        ok &= dns.exists("www.example.com") == DnsStatus.NOERROR;
                    }
                    return ok;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        // Concurrent misses may each ask once, but never more than once per thread and name.
        assertThat(upstream.queries()).isBetween(52, 4 * 52);
    }
}
