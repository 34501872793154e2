package org.dmarcreporter.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZoneFileResolverTest {

    private static Path resource(String name) {
        try {
            return Path.of(
                    ZoneFileResolverTest.class.getResource("/dns/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private final ZoneFileResolver dns =
            ZoneFileResolver.fromPaths(List.of(resource("example-com.zone"), resource("example-org.zone")));

    @Test
    void txtRecordJoinsItsCharacterStringsInOrder() {
        assertThat(dns.txt("_dmarc.example.com"))
                .isEqualTo(TxtAnswer.of(List.of("v=DMARC1; p=reject; rua=mailto:agg@example.com")));
    }

    @Test
    void everyTxtRecordAtANameIsReturnedSeparately() {
        TxtAnswer answer = dns.txt("multi.example.com");
        assertThat(answer.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(answer.records()).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void nameWithOtherRecordsButNoTxtIsNodata() {
        assertThat(dns.txt("www.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
        assertThat(dns.exists("www.example.com")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void emptyNonTerminalExistsWithoutRecords() {
        assertThat(dns.txt("deep.ent.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
        assertThat(dns.exists("ent.example.com")).isEqualTo(DnsStatus.NOERROR);
        assertThat(dns.txt("leaf.deep.ent.example.com").records()).containsExactly("leaf");
    }

    @Test
    void missingNameInsideALoadedZoneIsNxdomain() {
        assertThat(dns.txt("_dmarc.nothere.example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        assertThat(dns.exists("nothere.example.com")).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(dns.exists("below.leaf.deep.ent.example.com")).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void nameOutsideEveryLoadedZoneIsNxdomain() {
        assertThat(dns.txt("_dmarc.example.net")).isEqualTo(TxtAnswer.NXDOMAIN);
        assertThat(dns.exists("example.net")).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void ancestorsOfLoadedNamesExistAsEmptyNonTerminals() {
        // RFC 8020: an NXDOMAIN at "com" would deny example.com, so "com" must exist.
        assertThat(dns.exists("com")).isEqualTo(DnsStatus.NOERROR);
        assertThat(dns.txt("_dmarc.com")).isEqualTo(TxtAnswer.NXDOMAIN);
    }

    @Test
    void recordsOfSeveralFilesAreAllAnswered() {
        assertThat(dns.txt("_dmarc.example.org").records()).containsExactly("v=DMARC1; p=none");
        assertThat(dns.txt("_dmarc.example.com").records()).hasSize(1);
    }

    @Test
    void fileWithoutSoaOrNsIsAccepted() {
        ZoneFileResolver noSoa = ZoneFileResolver.fromPaths(List.of(resource("example-org.zone")));
        assertThat(noSoa.txt("_dmarc.example.org").records()).containsExactly("v=DMARC1; p=none");
        assertThat(noSoa.exists("example.org")).isEqualTo(DnsStatus.NOERROR);
        assertThat(noSoa.exists("www.example.org")).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void namesCompareCaseInsensitively() {
        assertThat(dns.txt("_DMARC.Example.COM").records()).hasSize(1);
        assertThat(dns.txt("mixed.example.com").records()).containsExactly("mixed case owner");
        assertThat(dns.exists("MIXED.EXAMPLE.COM")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void trailingDotIsOptional() {
        assertThat(dns.txt("_dmarc.example.com.")).isEqualTo(dns.txt("_dmarc.example.com"));
        assertThat(dns.exists("example.com.")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void wildcardAnswersForNamesThatDoNotExist() {
        assertThat(dns.txt("anything.wild.example.com").records()).containsExactly("from wildcard");
        assertThat(dns.txt("two.labels.wild.example.com").records()).containsExactly("from wildcard");
        assertThat(dns.exists("anything.wild.example.com")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void wildcardDoesNotCoverNamesThatExist() {
        // RFC 4592 §2.2.1: exact.wild exists (with an A record), so the wildcard does not apply.
        assertThat(dns.txt("exact.wild.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
    }

    @Test
    void cnameIsFollowedToItsTarget() {
        assertThat(dns.txt("alias.example.com").records())
                .containsExactly("v=DMARC1; p=reject; rua=mailto:agg@example.com");
    }

    @Test
    void cnameToAMissingNameLeavesTheAliasExisting() {
        assertThat(dns.txt("dangling.example.com")).isEqualTo(new TxtAnswer(DnsStatus.NOERROR, List.of()));
        assertThat(dns.exists("dangling.example.com")).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void cnameLoopIsTempfail() {
        ZoneFileResolver loop = ZoneFileResolver.fromText("""
                a.loop.test. 60 IN CNAME b.loop.test.
                b.loop.test. 60 IN CNAME a.loop.test.
                """);
        assertThat(loop.txt("a.loop.test")).isEqualTo(TxtAnswer.TEMPFAIL);
    }

    @Test
    void zoneTextWithoutOriginTakesNamesAsAbsolute() {
        ZoneFileResolver text = ZoneFileResolver.fromText("_dmarc.example.test TXT \"v=DMARC1; p=quarantine\"\n");
        assertThat(text.txt("_dmarc.example.test.").records()).containsExactly("v=DMARC1; p=quarantine");
    }

    @Test
    void invalidNameIsNxdomain() {
        assertThat(dns.txt("a..example.com")).isEqualTo(TxtAnswer.NXDOMAIN);
        assertThat(dns.exists("x".repeat(64) + ".example.com")).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void badZoneFileIsRefusedNamingFileAndLine() {
        Path bad = resource("bad.zone");
        assertThatThrownBy(() -> ZoneFileResolver.fromPaths(List.of(resource("example-com.zone"), bad)))
                .isInstanceOf(ZoneFileException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("line 4")
                .hasMessageContaining("192.0.2.999")
                .satisfies(e -> assertThat(((ZoneFileException) e).line()).isEqualTo(4));
    }

    @Test
    void badZoneTextIsRefusedNamingTextAndLine() {
        assertThatThrownBy(() -> ZoneFileResolver.fromText("ok.test. TXT \"fine\"\n", "\nx.test. BOGUS 1\n"))
                .isInstanceOf(ZoneFileException.class)
                .hasMessageStartingWith("zone file text#2 line 2: ")
                .hasMessageContaining("BOGUS");
    }

    @Test
    void missingZoneFileIsRefusedNamingIt() {
        Path missing = Path.of("/nonexistent/zone.txt");
        assertThatThrownBy(() -> ZoneFileResolver.fromPaths(List.of(missing)))
                .isInstanceOf(ZoneFileException.class)
                .hasMessageContaining("/nonexistent/zone.txt");
    }
}
