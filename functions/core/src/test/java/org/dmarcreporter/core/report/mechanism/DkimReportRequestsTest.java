package org.dmarcreporter.core.report.mechanism;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.report.arf.AuthFailure;
import org.dmarcreporter.core.testing.RandomCases;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DkimReportRequestsTest {

    @Test
    void tagListMakesARequest() {
        ReportRequest r = DkimReportRequests.parse(" ra = dkim-fail ; rp=10; rr=v:X ; rs=Go away;")
                .orElseThrow();
        assertThat(r.localPart()).isEqualTo("dkim-fail");
        assertThat(r.percent()).isEqualTo(10);
        assertThat(r.types()).containsExactlyInAnyOrder("v", "x");
        assertThat(r.wants(DkimReportRequests.failureTypes(DkimResult.FAIL, AuthFailure.SIGNATURE)))
                .isTrue();
        assertThat(r.wants(DkimReportRequests.failureTypes(DkimResult.PERMERROR, AuthFailure.SIGNATURE)))
                .isFalse();
    }

    @Test
    void raIsDkimQuotedPrintableAndDefaultsApply() {
        ReportRequest r = DkimReportRequests.parse("ra=dkim=2Breports").orElseThrow();
        assertThat(r.localPart()).isEqualTo("dkim+reports");
        assertThat(r.percent()).isEqualTo(100);
        assertThat(r.types()).containsExactly("all");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "rp=50; rr=all",
                "ra=x; ra=y",
                "ra=x; rp=200",
                "ra=x; rr=q",
                "ra=a=4",
                "ra=a=zz",
                "ra=x; 1bad=2",
                "just text",
                "ra=a@b"
            })
    void incompleteOrInvalidRecordsMakeNone(String txt) {
        assertThat(DkimReportRequests.parse(txt)).isEmpty();
    }

    @Test
    void failureTypesFollowRfc6651() {
        assertThat(DkimReportRequests.failureTypes(DkimResult.FAIL, AuthFailure.SIGNATURE))
                .containsExactly("v");
        assertThat(DkimReportRequests.failureTypes(DkimResult.FAIL, AuthFailure.BODYHASH))
                .containsExactly("v");
        assertThat(DkimReportRequests.failureTypes(DkimResult.FAIL, AuthFailure.REVOKED))
                .containsExactly("d");
        assertThat(DkimReportRequests.failureTypes(DkimResult.PERMERROR, AuthFailure.SIGNATURE))
                .containsExactly("o");
        assertThat(DkimReportRequests.failureTypes(DkimResult.PASS, AuthFailure.SIGNATURE))
                .isEmpty();
    }

    @Test
    void lookupReadsTheReportRecordOfTheSigningDomain() {
        ZoneFileResolver dns = ZoneFileResolver.fromText("""
                $ORIGIN .
                _report._domainkey.signer.example. TXT "ra=dkim; rr=all"
                _report._domainkey.two.example.    TXT "ra=a"
                _report._domainkey.two.example.    TXT "ra=b"
                """);
        assertThat(DkimReportRequests.lookup(dns, "signer.example").request().map(ReportRequest::localPart))
                .contains("dkim");
        assertThat(DkimReportRequests.lookup(dns, "two.example"))
                .isEqualTo(new DkimReportRequests.Lookup(DnsStatus.NOERROR, Optional.empty()));
        assertThat(DkimReportRequests.lookup(dns, "unsigned.example").request()).isEmpty();
    }

    @Test
    void anyTextParsesWithoutThrowing() {
        RandomCases.forAll(
                3_000,
                r -> Text.oneOf(
                                x -> Text.any(x, 300),
                                x -> Text.of(x, "ra=p;sv:dxoall 0123456789=ABF", 120),
                                x -> "ra=" + Text.any(x, 20) + "; rp=" + Text.any(x, 4) + "; rr=" + Text.any(x, 12))
                        .apply(r),
                text -> DkimReportRequests.parse(text).ifPresent(q -> {
                    assertThat(q.percent()).isBetween(0, 100);
                    assertThat(q.types()).isNotEmpty().isSubsetOf(DkimReportRequests.TYPES);
                    assertThat(q.localPart()).matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
                }));
    }
}
