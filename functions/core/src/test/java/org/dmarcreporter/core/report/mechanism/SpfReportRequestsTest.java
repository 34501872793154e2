package org.dmarcreporter.core.report.mechanism;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.testing.RandomCases;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpfReportRequestsTest {

    @Test
    void modifiersMakeARequest() {
        ReportRequest r = SpfReportRequests.parse("v=spf1 ip4:192.0.2.0/24 ra=spf-fail rp=25 rr=f:S -all")
                .orElseThrow();
        assertThat(r.localPart()).isEqualTo("spf-fail");
        assertThat(r.percent()).isEqualTo(25);
        assertThat(r.types()).containsExactlyInAnyOrder("f", "s");
        assertThat(r.address("example.com")).isEqualTo("spf-fail@example.com");
        assertThat(r.wants(Set.of("f"))).isTrue();
        assertThat(r.wants(Set.of("e"))).isFalse();
    }

    @Test
    void defaultsAreAllFailuresAtOneHundredPercent() {
        ReportRequest r = SpfReportRequests.parse("V=SPF1 -all RA=postmaster").orElseThrow();
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.types()).containsExactly("all");
        assertThat(r.wants(SpfReportRequests.failureTypes(SpfResult.NEUTRAL))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "v=spf1 -all", // no ra: no reports
                "v=spf1 rp=50 rr=f -all", // rp and rr mean nothing without ra
                "v=spf10 ra=x", // not an SPF record
                "spf1 ra=x",
                "v=spf1 ra=x ra=y", // given twice
                "v=spf1 ra=x rp=101", // out of range
                "v=spf1 ra=x rp=-1",
                "v=spf1 ra=x rp=",
                "v=spf1 ra=x rr=q:z", // no type we know
                "v=spf1 ra=a@b.example", // not a local part
                "v=spf1 ra=.x",
                "v=spf1 ra="
            })
    void incompleteOrUnclearRecordsMakeNone(String record) {
        assertThat(SpfReportRequests.parse(record)).isEmpty();
    }

    @Test
    void mechanismsWithEqualsSignsAreNotModifiers() {
        assertThat(SpfReportRequests.parse("v=spf1 exists:%{i}.ra=x.example -all"))
                .isEmpty();
    }

    @Test
    void failureTypesFollowRfc6652() {
        assertThat(SpfReportRequests.failureTypes(SpfResult.FAIL)).containsExactly("f");
        assertThat(SpfReportRequests.failureTypes(SpfResult.SOFTFAIL)).containsExactly("s");
        assertThat(SpfReportRequests.failureTypes(SpfResult.NEUTRAL)).containsExactly("n");
        assertThat(SpfReportRequests.failureTypes(SpfResult.PERMERROR)).containsExactly("e");
        assertThat(SpfReportRequests.failureTypes(SpfResult.TEMPERROR)).containsExactly("e");
        assertThat(SpfReportRequests.failureTypes(SpfResult.PASS)).isEmpty();
    }

    @Test
    void lookupFindsTheOneSpfRecord() {
        ZoneFileResolver dns = ZoneFileResolver.fromText("""
                $ORIGIN .
                one.example.  TXT "google-site-verification=abc"
                one.example.  TXT "v=spf1 ra=r -all"
                two.example.  TXT "v=spf1 -all"
                two.example.  TXT "v=spf1 ra=r -all"
                """);
        assertThat(SpfReportRequests.lookup(dns, "one.example"))
                .isEqualTo(new SpfReportRequests.SpfRecord(DnsStatus.NOERROR, Optional.of("v=spf1 ra=r -all")));
        assertThat(SpfReportRequests.lookup(dns, "two.example").record()).isEmpty(); // RFC 7208 §4.5: permerror
        assertThat(SpfReportRequests.lookup(dns, "none.example").status()).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void anyTextParsesWithoutThrowing() {
        RandomCases.forAll(
                3_000,
                r -> Text.oneOf(
                                x -> Text.any(x, 300),
                                x -> "v=spf1 " + Text.of(x, "ra=rp rr:fsne0123456789 -all.", 120),
                                x -> "v=spf1 ra=" + Text.any(x, 20) + " rp=" + Text.any(x, 4) + " rr="
                                        + Text.any(x, 12))
                        .apply(r),
                text -> {
                    Optional<ReportRequest> request = SpfReportRequests.parse(text);
                    request.ifPresent(q -> {
                        assertThat(q.percent()).isBetween(0, 100);
                        assertThat(q.types()).isNotEmpty().isSubsetOf(SpfReportRequests.TYPES);
                        assertThat(q.localPart()).matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
                    });
                });
    }
}
