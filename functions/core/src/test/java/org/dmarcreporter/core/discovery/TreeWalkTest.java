package org.dmarcreporter.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.junit.jupiter.api.Test;

class TreeWalkTest {

    /** Records every TXT name asked, so tests can assert on the queries of a walk. */
    private static final class RecordingResolver implements DnsResolver {
        final DnsResolver inner;
        final List<String> asked = new ArrayList<>();

        RecordingResolver(String zone) {
            inner = ZoneFileResolver.fromText(zone);
        }

        @Override
        public TxtAnswer txt(String name) {
            asked.add(name);
            return inner.txt(name);
        }

        @Override
        public DnsStatus exists(String name) {
            return inner.exists(name);
        }
    }

    private static final String ZONE = """
            $ORIGIN .
            _dmarc.example.com. TXT "v=DMARC1; p=reject"
            _dmarc.mail.example.com. TXT "v=DMARC1; p=none"
            _dmarc.tld. TXT "v=DMARC1; p=quarantine; psd=y"
            _dmarc.org.tld. TXT "v=DMARC1; p=none; psd=n"
            """;

    @Test
    void walkShortensNamesOfEightOrMoreLabelsToSevenFirst() {
        RecordingResolver dns = new RecordingResolver(ZONE);
        TreeWalk walk = TreeWalk.walk(new DmarcRecordLookup(dns), "a.b.c.d.e.f.g.mail.example.com");

        assertThat(dns.asked)
                .containsExactly(
                        "_dmarc.a.b.c.d.e.f.g.mail.example.com",
                        "_dmarc.d.e.f.g.mail.example.com",
                        "_dmarc.e.f.g.mail.example.com",
                        "_dmarc.f.g.mail.example.com",
                        "_dmarc.g.mail.example.com",
                        "_dmarc.mail.example.com",
                        "_dmarc.example.com",
                        "_dmarc.com");
        assertThat(walk.steps()).hasSizeLessThanOrEqualTo(TreeWalk.LABEL_SHORTCUT);
    }

    @Test
    void organizationalDomainIsTheRecordWithFewestLabelsNotTheNearestOne() {
        TreeWalk walk = TreeWalk.walk(new DmarcRecordLookup(ZoneFileResolver.fromText(ZONE)), "a.mail.example.com");

        assertThat(walk.organizationalDomain()).isEqualTo("example.com");
        assertThat(walk.applicableStep().name()).isEqualTo("example.com");
    }

    @Test
    void psdYesMakesTheNameOneLabelBelowTheOrganizationalDomain() {
        RecordingResolver dns = new RecordingResolver(ZONE);
        TreeWalk walk = TreeWalk.walk(new DmarcRecordLookup(dns), "x.shop.tld");

        assertThat(walk.organizationalDomain()).isEqualTo("shop.tld");
        // shop.tld has no record, so the PSD's record applies.
        assertThat(walk.applicableStep().name()).isEqualTo("tld");
        assertThat(dns.asked).containsExactly("_dmarc.x.shop.tld", "_dmarc.shop.tld", "_dmarc.tld");
    }

    @Test
    void psdNoStopsTheWalkAndIsTheOrganizationalDomain() {
        RecordingResolver dns = new RecordingResolver(ZONE);
        TreeWalk walk = TreeWalk.walk(new DmarcRecordLookup(dns), "a.b.org.tld");

        assertThat(walk.organizationalDomain()).isEqualTo("org.tld");
        assertThat(dns.asked).containsExactly("_dmarc.a.b.org.tld", "_dmarc.b.org.tld", "_dmarc.org.tld");
    }

    @Test
    void aNameWithoutAnyRecordIsItsOwnOrganizationalDomain() {
        TreeWalk walk = TreeWalk.walk(new DmarcRecordLookup(ZoneFileResolver.fromText(ZONE)), "mx.nothing.example");

        assertThat(walk.organizationalDomain()).isEqualTo("mx.nothing.example");
        assertThat(walk.applicableStep()).isNull();
    }
}
