package org.dmarcreporter.core.report.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.report.arf.AuthFailure;
import org.dmarcreporter.core.report.arf.Candidates;
import org.dmarcreporter.core.report.arf.SpfDns;
import org.dmarcreporter.core.report.destination.Destination;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.routing.PlannedReport.Route;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.junit.jupiter.api.Test;

public class FailureReportPlannerTest {

    static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.example.com.  TXT "v=DMARC1; p=reject; ruf=mailto:ruf@example.com,mailto:f@vendor.example; fo=1:d:s"
            example.com.         TXT "v=spf1 ip4:198.51.100.0/24 ra=spf-reports rp=100 rr=f:e -all"
            _report._domainkey.example.com. TXT "ra=dkim-reports; rp=100; rr=v"
            example.com._report._dmarc.vendor.example. TXT "v=DMARC1"
            _dmarc.vendor.example. TXT "v=DMARC1; p=none"
            bounce.other.example. TXT "v=spf1 -all ra=other"
            softfail.example.com. TXT "v=spf1 ~all ra=spf rr=f"
            half.example.com.    TXT "v=spf1 -all ra=half rp=50"
            never.example.com.   TXT "v=spf1 -all ra=never rp=0"
            _report._domainkey.esp.example.net. TXT "ra=esp"
            """;

    static final ZoneFileResolver DNS = ZoneFileResolver.fromText(ZONE);
    static final Set<FailureTrigger> ALL = EnumSet.allOf(FailureTrigger.class);

    private final FailureReportPlanner planner = new FailureReportPlanner(DNS, Sampler.byKey(), "reporter.example");

    /** The plan for a candidate against {@link #ZONE}, with a copy to copy@reporter.example (other tests use it). */
    public static FailureReportPlan planFor(FailureCandidate c) {
        return new FailureReportPlanner(DNS, Sampler.byKey(), "reporter.example")
                .plan(c, 0, List.of("copy@reporter.example"));
    }

    private FailureReportPlan plan(FailureCandidate c) {
        return planner.plan(c, 0, List.of("copy@reporter.example"));
    }

    /** "auth-failure recipient route" per planned report, in order. */
    private static List<String> summary(FailureReportPlan plan) {
        List<String> out = new ArrayList<>();
        for (PlannedReport p : plan.reports()) {
            out.add(p.report().authFailure().token() + " " + p.recipient() + " " + p.route());
        }
        return out;
    }

    private static AuthenticationResult result(SpfCheck spf, List<DkimCheck> dkim) {
        AuthenticationResult r = Candidates.result(Candidates.HEADERS);
        return new AuthenticationResult(
                r.messageId(),
                r.receivedAt(),
                r.sourceIp(),
                r.sourcePort(),
                r.helo(),
                r.envelopeFrom(),
                r.envelopeTo(),
                r.headerFrom(),
                spf,
                dkim,
                r.headers());
    }

    @Test
    void everyOptionMatchedGivesEachReportToItsRecipients() {
        FailureReportPlan plan = plan(Candidates.forged());
        assertThat(summary(plan))
                .containsExactly(
                        "dmarc ruf@example.com RUF",
                        "dmarc f@vendor.example RUF",
                        "dmarc copy@reporter.example COPY",
                        "spf ruf@example.com RUF",
                        "spf f@vendor.example RUF",
                        "spf spf-reports@example.com SPF_RA",
                        "signature ruf@example.com RUF",
                        "signature f@vendor.example RUF",
                        "signature dkim-reports@example.com DKIM_RA");
        assertThat(plan.notSent()).isEmpty();

        PlannedReport dmarc = plan.reports().get(0);
        assertThat(dmarc.report().identityAlignment()).isEqualTo("dkim, spf");
        // The aligned identifiers failed: RFC 9991 §4 requires their fields.
        assertThat(dmarc.report().dkim().domain()).isEqualTo("example.com");
        assertThat(dmarc.report().dkim().selector()).isEqualTo("sel1");
        assertThat(dmarc.report().spfDns())
                .containsExactly(
                        new SpfDns("example.com", "v=spf1 ip4:198.51.100.0/24 ra=spf-reports rp=100 rr=f:e -all"));
        // RFC 6651/6652 reports to ra= are not DMARC reports: no Identity-Alignment.
        assertThat(plan.reports().get(5).report().identityAlignment()).isNull();
        assertThat(plan.reports().get(3).report().identityAlignment()).isEqualTo("dkim, spf");
        assertThat(plan.reports().get(8).report().reportedDomain()).isEqualTo("example.com");
    }

    @Test
    void foZeroAloneGivesOnlyTheDmarcReportWithItsCopy() {
        FailureCandidate c = Candidates.candidate(
                Candidates.result(Candidates.HEADERS), Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false);
        assertThat(summary(plan(c)))
                .containsExactly(
                        "dmarc ruf@example.com RUF", "dmarc f@vendor.example RUF", "dmarc copy@reporter.example COPY");
    }

    @Test
    void foOneWithDkimAlignedNamesOnlySpf() {
        // DKIM passed aligned, SPF failed: fo=1 matches; Identity-Alignment names spf only.
        AuthenticationResult r = result(
                new SpfCheck(SpfResult.FAIL, "example.com", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.PASS, "example.com", "sel1", false)));
        FailureReportPlan plan = plan(Candidates.candidate(r, Set.of(FailureTrigger.DMARC_ANY_FAILED), true, false));
        assertThat(summary(plan))
                .containsExactly(
                        "dmarc ruf@example.com RUF", "dmarc f@vendor.example RUF", "dmarc copy@reporter.example COPY");
        assertThat(plan.reports().get(0).report().identityAlignment()).isEqualTo("spf");
        assertThat(plan.reports().get(0).report().dkim()).isNull(); // no aligned DKIM failure
        assertThat(plan.reports().get(0).report().spfDns()).hasSize(1);
    }

    @Test
    void unalignedFailuresNeedNoDkimOrSpfFields() {
        AuthenticationResult r = result(
                new SpfCheck(SpfResult.FAIL, "bounce.other.example", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "esp.example.net", "k1", false)));
        FailureReportPlan plan = plan(Candidates.candidate(r, Set.of(FailureTrigger.DMARC_ALL_FAILED), false, false));
        assertThat(plan.reports().get(0).report().dkim()).isNull();
        assertThat(plan.reports().get(0).report().spfDns()).isEmpty();
    }

    @Test
    void foSAndFoDReportUnalignedFailuresAndAskTheirDomainsRecords() {
        // SPF checked another domain, whose record asks for reports; the failed signature is a third party's
        // with r=y and its own reporting record.
        AuthenticationResult r = result(
                new SpfCheck(SpfResult.FAIL, "bounce.other.example", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "esp.example.net", "k1", true)));
        FailureCandidate c =
                Candidates.candidate(r, Set.of(FailureTrigger.SPF_FAILED, FailureTrigger.DKIM_FAILED), false, false);
        FailureReportPlan plan = plan(c);
        assertThat(summary(plan))
                .containsExactly(
                        "spf ruf@example.com RUF",
                        "spf f@vendor.example RUF",
                        "spf other@bounce.other.example SPF_RA",
                        "signature ruf@example.com RUF",
                        "signature f@vendor.example RUF",
                        "signature esp@esp.example.net DKIM_RA");
        assertThat(plan.reports().get(2).report().reportedDomain()).isEqualTo("bounce.other.example");
        assertThat(plan.reports().get(2).report().spfDns())
                .containsExactly(new SpfDns("bounce.other.example", "v=spf1 -all ra=other"));
    }

    @Test
    void mechanismReportsToRaNeedTheirRecordAndR() {
        // No ra= in the SPF record, no r=y on the signature: only the ruf copies.
        AuthenticationResult r = result(
                new SpfCheck(SpfResult.FAIL, "plain.example.com", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.FAIL, "example.com", "sel1", false)));
        FailureReportPlan plan = plan(
                Candidates.candidate(r, Set.of(FailureTrigger.SPF_FAILED, FailureTrigger.DKIM_FAILED), false, false));
        assertThat(summary(plan))
                .containsExactly(
                        "spf ruf@example.com RUF",
                        "spf f@vendor.example RUF",
                        "signature ruf@example.com RUF",
                        "signature f@vendor.example RUF");
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("no RFC 6652 ra="));
    }

    @Test
    void rrLimitsTheFailureTypes() {
        // softfail.example.com asks rr=f only; the DKIM record asks rr=v only (a permerror is "o").
        AuthenticationResult r = result(
                new SpfCheck(SpfResult.PERMERROR, "softfail.example.com", SpfScope.MFROM),
                List.of(new DkimCheck(DkimResult.PERMERROR, "example.com", "sel1", true)));
        FailureReportPlan plan = plan(
                Candidates.candidate(r, Set.of(FailureTrigger.SPF_FAILED, FailureTrigger.DKIM_FAILED), false, false));
        assertThat(plan.reports()).noneMatch(p -> p.route() == Route.SPF_RA || p.route() == Route.DKIM_RA);
        assertThat(plan.notes())
                .anySatisfy(n -> assertThat(n).contains("rr= of softfail.example.com"))
                .anySatisfy(n -> assertThat(n).contains("RFC 6651 rr= of example.com"));
    }

    @Test
    void rpSamplesTheRaReports() {
        AuthenticationResult r = result(new SpfCheck(SpfResult.FAIL, "half.example.com", SpfScope.MFROM), List.of());
        FailureReportPlanner seeded = new FailureReportPlanner(DNS, Sampler.from(new Random(42)), "reporter.example");
        int sent = 0;
        for (int i = 0; i < 1_000; i++) {
            FailureCandidate c = Candidates.candidate(r, Set.of(FailureTrigger.SPF_FAILED), false, false);
            sent += (int) seeded.plan(c, 0, List.of()).reports().stream()
                    .filter(p -> p.route() == Route.SPF_RA)
                    .count();
        }
        assertThat(sent).isBetween(440, 560);

        AuthenticationResult never =
                result(new SpfCheck(SpfResult.FAIL, "never.example.com", SpfScope.MFROM), List.of());
        assertThat(plan(Candidates.candidate(never, Set.of(FailureTrigger.SPF_FAILED), false, false))
                        .reports())
                .noneMatch(p -> p.route() == Route.SPF_RA);
    }

    @Test
    void psdRecordsAndReportsAboutReportsGiveNothing() {
        FailureCandidate psd = Candidates.candidate(
                "v=DMARC1; p=reject; psd=y; ruf=mailto:ruf@example.com",
                Candidates.result(Candidates.HEADERS),
                ALL,
                false,
                false);
        assertThat(plan(psd).reports()).isEmpty();
        assertThat(plan(psd).notes()).singleElement().asString().contains("psd=y");

        FailureCandidate loop = Candidates.candidate(
                Candidates.result(
                        "From: noreply@reporter.example\r\nSubject: Report Domain: example.com Submitter: r.example Report-ID: 1\r\n"),
                ALL,
                false,
                false);
        assertThat(plan(loop).reports()).isEmpty();
        assertThat(plan(loop).notes()).singleElement().asString().contains("itself a DMARC report");
    }

    @Test
    void unverifiedExternalRufAndTheRecipientLimitAreHonoured() {
        FailureCandidate c = Candidates.candidate(
                "v=DMARC1; p=reject; ruf=mailto:a@example.com,mailto:x@unverified.example,mailto:b@example.com,"
                        + "mailto:c@example.com; fo=1",
                Candidates.result(Candidates.HEADERS),
                Set.of(FailureTrigger.DMARC_ANY_FAILED),
                false,
                false);
        FailureReportPlan plan = planner.plan(c, 2, List.of());
        // The unverified destination takes none of the 2 places: b@ gets the second, c@ is beyond.
        assertThat(summary(plan)).containsExactly("dmarc a@example.com RUF", "dmarc b@example.com RUF");
        assertThat(plan.notSent()).hasSize(2).allSatisfy(d -> assertThat(d).isInstanceOf(Destination.Skip.class));
        assertThat(plan.notSent())
                .extracting(Destination::uri)
                .containsExactly("mailto:x@unverified.example", "mailto:c@example.com");
        assertThat(plan.deferred()).isFalse();
    }

    @Test
    void aFloodOfFailedSignaturesIsCapped() {
        List<DkimCheck> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new DkimCheck(DkimResult.FAIL, "example.com", "s" + i, true));
        }
        AuthenticationResult r = result(null, many);
        FailureReportPlan plan = plan(Candidates.candidate(r, Set.of(FailureTrigger.DKIM_FAILED), false, false));
        assertThat(plan.reports())
                .hasSize(FailureReportPlanner.MAX_SIGNATURES * 3)
                .allMatch(p -> p.report().authFailure() == AuthFailure.SIGNATURE);
        assertThat(plan.reports().stream().map(p -> p.report().key()).distinct())
                .hasSize(FailureReportPlanner.MAX_SIGNATURES);
    }
}
