package org.dmarcreporter.core.report.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dmarcreporter.core.report.dispatch.DispatchFixture.field;
import static org.dmarcreporter.core.report.dispatch.DispatchFixture.text;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.report.arf.Candidates;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.RecordingMailTransport;
import org.dmarcreporter.core.report.dispatch.DispatchResult.Status;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.dmarcreporter.core.settings.SettingsReader;
import org.junit.jupiter.api.Test;

class FailureDispatcherTest {

    /** An hour boundary: 2026-12-01T10:00:00Z. */
    static final long T0 = Instant.parse("2026-12-01T10:00:00Z").getEpochSecond();

    static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.f0.example.    TXT "v=DMARC1; p=reject; ruf=mailto:ruf@f0.example; fo=0"
            _dmarc.f1.example.    TXT "v=DMARC1; p=reject; ruf=mailto:ruf@f1.example; fo=1"
            _dmarc.fd.example.    TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fd.example; fo=d"
            _dmarc.fs.example.    TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fs.example; fo=s"
            _dmarc.fall.example.  TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fall.example; fo=1:d:s"
            _dmarc.fbad.example.  TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fbad.example; fo=1:x"
            _dmarc.fnone.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@fnone.example"
            _dmarc.other.example. TXT "v=DMARC1; p=none"
            _dmarc.psd.example.   TXT "v=DMARC1; p=reject; psd=y; ruf=mailto:ruf@psd.example; fo=1"
            _dmarc.iodef.example. TXT "v=DMARC1; p=reject; rf=iodef; ruf=mailto:ruf@iodef.example; fo=1"
            _dmarc.ra.example.    TXT "v=DMARC1; p=reject; ruf=mailto:ruf@ra.example; fo=d:s"
            ra.example.           TXT "v=spf1 -all ra=spf-reports rp=100 rr=f"
            _report._domainkey.ra.example. TXT "ra=dkim-reports; rp=100; rr=v"
            _dmarc.norec.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@norec.example; fo=d:s"
            _dmarc.half.example.  TXT "v=DMARC1; p=reject; ruf=mailto:ruf@half.example; fo=s"
            half.example.         TXT "v=spf1 -all ra=spf rp=50"
            _dmarc.never.example. TXT "v=DMARC1; p=reject; ruf=mailto:ruf@never.example; fo=s"
            never.example.        TXT "v=spf1 -all ra=spf rp=0"
            _dmarc.ext.example.   TXT "v=DMARC1; p=reject; ruf=mailto:ruf@ext.example,mailto:f@vendor.example; fo=0"
            ext.example._report._dmarc.vendor.example. TXT "v=DMARC1"
            _dmarc.vendor.example. TXT "v=DMARC1; p=none"
            """;

    static final DnsResolver DNS = ZoneFileResolver.fromText(ZONE);

    /** Routing tests: no merging, no limits. */
    static final Map<String, Object> PLAIN = Map.of(
            "failureReportMergeSeconds", 0, "failureReportsPerDestinationPerHour", 0, "failureReportsPerMinute", 0);

    static AuthenticationResult result(
            String domain, String ip, long at, SpfCheck spf, List<DkimCheck> dkim, String messageId) {
        String headers = Candidates.HEADERS
                .replace("news@example.com", "news@" + domain)
                .replace("d=example.com", "d=" + domain)
                .replace("<m1@mail.forger.example>", messageId);
        return new AuthenticationResult(
                messageId,
                Instant.ofEpochSecond(at),
                ip,
                54321,
                "mail.forger.example",
                "bounce@" + domain,
                List.of("alice@receiver.example"),
                "Example News <news@" + domain + ">",
                spf,
                dkim,
                headers);
    }

    static SpfCheck spf(SpfResult r, String domain) {
        return new SpfCheck(r, domain, SpfScope.MFROM);
    }

    static DkimCheck dkim(DkimResult r, String domain, boolean reportRequested) {
        return new DkimCheck(r, domain, "sel1", reportRequested);
    }

    /** The SPF/DKIM mixes of the fo table; {@code D} stands for the policy domain. */
    enum Mix {
        ALL_FAIL("dkim, spf", true, true),
        SPF_PASS_DKIM_FAIL("dkim", false, true),
        SPF_UNALIGNED_PASS_DKIM_PASS("spf", false, false),
        SPF_UNALIGNED_FAIL_DKIM_PASS("spf", true, false),
        SOFTFAIL_NO_DKIM("dkim, spf", false, false),
        ALL_PASS(null, false, false),
        DKIM_UNALIGNED_FAIL_SPF_PASS("dkim", false, true);

        /** Identity-Alignment: the mechanisms without an aligned pass; null when DMARC has nothing to say. */
        final String identityAlignment;
        /** SPF's result is fail (fo=s). */
        final boolean spfFailed;
        /** A signature failed (fo=d). */
        final boolean dkimFailed;

        Mix(String identityAlignment, boolean spfFailed, boolean dkimFailed) {
            this.identityAlignment = identityAlignment;
            this.spfFailed = spfFailed;
            this.dkimFailed = dkimFailed;
        }

        boolean noAlignedPass() {
            return "dkim, spf".equals(identityAlignment);
        }

        AuthenticationResult result(String d, String ip, long at, String messageId) {
            return switch (this) {
                case ALL_FAIL ->
                    FailureDispatcherTest.result(
                            d, ip, at, spf(SpfResult.FAIL, d), List.of(dkim(DkimResult.FAIL, d, false)), messageId);
                case SPF_PASS_DKIM_FAIL ->
                    FailureDispatcherTest.result(
                            d, ip, at, spf(SpfResult.PASS, d), List.of(dkim(DkimResult.FAIL, d, false)), messageId);
                case SPF_UNALIGNED_PASS_DKIM_PASS ->
                    FailureDispatcherTest.result(
                            d,
                            ip,
                            at,
                            spf(SpfResult.PASS, "other.example"),
                            List.of(dkim(DkimResult.PASS, d, false)),
                            messageId);
                case SPF_UNALIGNED_FAIL_DKIM_PASS ->
                    FailureDispatcherTest.result(
                            d,
                            ip,
                            at,
                            spf(SpfResult.FAIL, "other.example"),
                            List.of(dkim(DkimResult.PASS, d, false)),
                            messageId);
                case SOFTFAIL_NO_DKIM ->
                    FailureDispatcherTest.result(d, ip, at, spf(SpfResult.SOFTFAIL, d), List.of(), messageId);
                case ALL_PASS ->
                    FailureDispatcherTest.result(
                            d, ip, at, spf(SpfResult.PASS, d), List.of(dkim(DkimResult.PASS, d, false)), messageId);
                case DKIM_UNALIGNED_FAIL_SPF_PASS ->
                    FailureDispatcherTest.result(
                            d,
                            ip,
                            at,
                            spf(SpfResult.PASS, d),
                            List.of(dkim(DkimResult.FAIL, "other.example", false)),
                            messageId);
            };
        }
    }

    /**
     * What RFC 9989 §4.7 and RFC 9991 §2-3 say each fo option asks for, written out independently
     * of the code: "auth-failure recipient identity-alignment" per report, in plan order.
     */
    static List<String> expected(String domain, Set<Character> fo, Mix mix) {
        List<String> out = new ArrayList<>();
        String ia = mix.identityAlignment == null ? "-" : mix.identityAlignment;
        String to = "ruf@" + domain;
        if ((fo.contains('0') && mix.noAlignedPass()) || (fo.contains('1') && mix.identityAlignment != null)) {
            out.add("dmarc " + to + " " + ia);
        }
        if (fo.contains('s') && mix.spfFailed) {
            out.add("spf " + to + " " + ia);
        }
        if (fo.contains('d') && mix.dkimFailed) {
            out.add("signature " + to + " " + ia);
        }
        return out;
    }

    @Test
    void eachFoOptionSendsExactlyTheReportsItAsksForToRuf() {
        Map<String, Set<Character>> domains = Map.of(
                "f0.example", Set.of('0'),
                "f1.example", Set.of('1'),
                "fd.example", Set.of('d'),
                "fs.example", Set.of('s'),
                "fall.example", Set.of('1', 'd', 's'),
                "fbad.example", Set.of('0'), // malformed fo: the default, 0 (RFC 9989 §4.7)
                "fnone.example", Set.of('0'));
        int checked = 0;
        for (var e : domains.entrySet()) {
            for (Mix mix : Mix.values()) {
                DispatchFixture f = new DispatchFixture(DNS, PLAIN);
                String label = e.getKey() + " " + mix;
                FailureCandidate c = f.candidate("c-" + mix, mix.result(e.getKey(), "192.0.2.7", T0, "<m@x>"));
                List<String> want = expected(e.getKey(), e.getValue(), mix);
                if (c == null) {
                    assertThat(want).as(label).isEmpty();
                    continue;
                }
                DispatchResult r = f.dispatcher.dispatch(c, T0 + 1);
                assertThat(f.sent()).as(label).containsExactlyElementsOf(want);
                assertThat(r.retry()).as(label).isFalse();
                assertThat(r.count(Status.SENT)).as(label).isEqualTo(want.size());
                assertThat(f.metrics.get(FailureMetrics.SENT)).as(label).isEqualTo(want.size());
                checked += want.size();
            }
        }
        // the table is not vacuous: 7 domains x 7 mixes give this many reports
        assertThat(checked).isEqualTo(28);
    }

    @Test
    void aDkimReportToRufNamesTheFailedSignatureDomain() {
        DispatchFixture f = new DispatchFixture(DNS, PLAIN);
        FailureCandidate c =
                f.candidate("c1", Mix.DKIM_UNALIGNED_FAIL_SPF_PASS.result("fd.example", "192.0.2.7", T0, "<m@x>"));
        f.dispatcher.dispatch(c, T0);
        String mail = text(f.transport.received().get(0).mail().message());
        assertThat(field(mail, "Reported-Domain")).isEqualTo("other.example");
        assertThat(field(mail, "DKIM-Domain")).isEqualTo("other.example");
    }

    @Test
    void psdYesSendsNothingEvenForAStoredCandidate() {
        DispatchFixture f = new DispatchFixture(DNS, PLAIN);
        assertThat(f.candidate("c1", Mix.ALL_FAIL.result("psd.example", "192.0.2.7", T0, "<m@x>")))
                .isNull();
        // a candidate stored before the record changed
        FailureCandidate stored = Candidates.candidate(
                "v=DMARC1; p=reject; psd=y; ruf=mailto:ruf@example.com; fo=1",
                Candidates.result(Candidates.HEADERS),
                Set.of(FailureTrigger.DMARC_ANY_FAILED),
                false,
                false);
        DispatchResult r = f.dispatcher.dispatch(stored, T0);
        assertThat(r.reports()).isEmpty();
        assertThat(r.notes()).anyMatch(n -> n.contains("psd=y"));
        assertThat(f.transport.received()).isEmpty();
        assertThat(f.ledger.size()).isZero();
    }

    @Test
    void rfIodefStillGetsAnArfReport() {
        DispatchFixture f = new DispatchFixture(DNS, PLAIN);
        FailureCandidate c = f.candidate("c1", Mix.ALL_FAIL.result("iodef.example", "192.0.2.7", T0, "<m@x>"));
        f.dispatcher.dispatch(c, T0);
        assertThat(f.sent()).containsExactly("dmarc ruf@iodef.example dkim, spf");
        String mail = text(f.transport.received().get(0).mail().message());
        assertThat(mail).contains("report-type=feedback-report", "Feedback-Type: auth-failure");
    }

    @Test
    void rfc6651And6652ReportsGoOnlyWhereRecordsAskForThem() {
        DispatchFixture f = new DispatchFixture(DNS, PLAIN);
        AuthenticationResult withRecords = result(
                "ra.example",
                "192.0.2.7",
                T0,
                spf(SpfResult.FAIL, "ra.example"),
                List.of(dkim(DkimResult.FAIL, "ra.example", true)),
                "<m1@x>");
        f.dispatcher.dispatch(f.candidate("c1", withRecords), T0);
        assertThat(f.sent())
                .containsExactly(
                        "spf ruf@ra.example dkim, spf",
                        "spf spf-reports@ra.example -",
                        "signature ruf@ra.example dkim, spf",
                        "signature dkim-reports@ra.example -");

        DispatchFixture g = new DispatchFixture(DNS, PLAIN);
        AuthenticationResult noRecords = result(
                "norec.example",
                "192.0.2.7",
                T0,
                spf(SpfResult.FAIL, "norec.example"),
                List.of(dkim(DkimResult.FAIL, "norec.example", true)),
                "<m2@x>");
        g.dispatcher.dispatch(g.candidate("c2", noRecords), T0);
        assertThat(g.sent())
                .containsExactly("spf ruf@norec.example dkim, spf", "signature ruf@norec.example dkim, spf");
    }

    @Test
    void rfc6652ReportsAreSampledAtRp() {
        DispatchFixture f = new DispatchFixture(DNS, PLAIN);
        int n = 200;
        for (int i = 0; i < n; i++) {
            for (String d : List.of("half.example", "never.example")) {
                AuthenticationResult r =
                        result(d, "192.0.2." + (i % 250), T0, spf(SpfResult.FAIL, d), List.of(), "<m" + i + "@x>");
                f.dispatcher.dispatch(f.candidate(d + i, r), T0 + i);
            }
        }
        assertThat(f.transport.receivedBy("ruf@half.example")).hasSize(n);
        assertThat(f.transport.receivedBy("ruf@never.example")).hasSize(n);
        assertThat(f.transport.receivedBy("spf@never.example")).isEmpty();
        // rp=50: about half; Sampler.byKey is deterministic, so this bound cannot flake
        assertThat(f.transport.receivedBy("spf@half.example").size()).isBetween(60, 140);
    }

    @Test
    void redactionAndHeaderScopeFollowTheSettings() {
        FailureCandidate c = new DispatchFixture(DNS, PLAIN)
                .candidate("c1", Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0, "<m@x>"));

        DispatchFixture redacted = new DispatchFixture(DNS, PLAIN);
        redacted.dispatcher.dispatch(c, T0);
        String a = text(redacted.transport.received().get(0).mail().message());
        assertThat(field(a, "Original-Mail-From")).matches("<[a-z2-7]{16}@f0\\.example>");
        assertThat(a).doesNotContain("bounce@", "alice@", "news@").contains("Message-ID: <m@x>");
        assertThat(quoted(a)).contains("To: Alice <");

        DispatchFixture essential = new DispatchFixture(DNS, with(PLAIN, "failureReportHeaders", "essential"));
        essential.dispatcher.dispatch(c, T0);
        String b = text(essential.transport.received().get(0).mail().message());
        assertThat(quoted(b)).doesNotContain("To:").contains("From:", "Subject: Your account", "DKIM-Signature:");

        DispatchFixture open = new DispatchFixture(DNS, with(PLAIN, "failureReportRedaction", false));
        open.dispatcher.dispatch(c, T0);
        String o = text(open.transport.received().get(0).mail().message());
        assertThat(field(o, "Original-Mail-From")).isEqualTo("<bounce@f0.example>");
        assertThat(quoted(o)).contains("alice@receiver.example");
    }

    @Test
    void redactionWithoutASecretFailsAtStartNamingTheKey() {
        Map<String, Object> s = new java.util.HashMap<>(
                Map.of("orgName", "reporter.example", "contactEmail", "dmarc@reporter.example"));
        var settings = SettingsReader.read(s);
        assertThatThrownBy(() -> new FailureDispatcher(
                        new org.dmarcreporter.core.report.routing.FailureReportPlanner(
                                DNS, org.dmarcreporter.core.report.mechanism.Sampler.byKey(), "reporter.example"),
                        new RecordingMailTransport(),
                        new InMemoryFailureLedger(),
                        (k, t) -> {},
                        FailureMetrics.NONE,
                        settings,
                        Candidates.sender()))
                .isInstanceOf(SettingsReader.InvalidSettingException.class)
                .hasMessageContaining("failureReportRedactionSecret");
        // ingest reads the same settings without a secret
        assertThat(settings.failureReports().redaction()).isTrue();
        assertThat(settings.failureReports().toString()).doesNotContain("secret=a");
    }

    @Test
    void sendingOffSendsNothingAndKeepsNothing() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of("sendFailureReports", false));
        FailureCandidate c = Candidates.forged();
        DispatchResult r = f.dispatcher.dispatch(c, T0);
        assertThat(r.reports()).isEmpty();
        assertThat(r.retry()).isFalse();
        assertThat(f.transport.received()).isEmpty();
        assertThat(f.ledger.size()).isZero();
        assertThat(f.scheduler.calls).isZero();
    }

    @Test
    void aRetriedCandidateSendsNothingTwice() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        FailureCandidate c = f.candidate("c1", Mix.ALL_FAIL.result("fall.example", "192.0.2.7", T0, "<m@x>"));
        DispatchResult first = f.dispatcher.dispatch(c, T0);
        assertThat(first.count(Status.SENT)).isEqualTo(3);
        for (int i = 1; i <= 3; i++) {
            DispatchResult again = f.dispatcher.dispatch(c, T0 + i * 100);
            assertThat(again.count(Status.ALREADY_SENT)).isEqualTo(3);
            assertThat(again.count(Status.SENT)).isZero();
        }
        f.runFlushes(T0 + 10_000);
        assertThat(f.transport.received()).hasSize(3);
        assertThat(f.metrics.get(FailureMetrics.ALREADY_SENT)).isEqualTo(9);
    }

    @Test
    void aTemporaryMailFailureIsRetriedAndOnlyThatReportIsSentAgain() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        FailureCandidate c = f.candidate("c1", Mix.ALL_FAIL.result("ext.example", "192.0.2.7", T0, "<m@x>"));
        f.transport.fail("f@vendor.example", new DeliveryOutcome.TemporaryFailure("451 try later"));
        DispatchResult first = f.dispatcher.dispatch(c, T0);
        assertThat(first.retry()).isTrue();
        assertThat(first.reports())
                .extracting(DispatchResult.Report::recipient, DispatchResult.Report::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ruf@ext.example", Status.SENT),
                        org.assertj.core.groups.Tuple.tuple("f@vendor.example", Status.RETRY));
        f.transport.heal("f@vendor.example");
        DispatchResult second = f.dispatcher.dispatch(c, T0 + 60);
        assertThat(second.retry()).isFalse();
        assertThat(second.reports())
                .extracting(DispatchResult.Report::status)
                .containsExactly(Status.ALREADY_SENT, Status.SENT);
        assertThat(f.sent()).containsExactly("dmarc ruf@ext.example dkim, spf", "dmarc f@vendor.example dkim, spf");
        assertThat(f.metrics.get(FailureMetrics.RETRIED)).isEqualTo(1);
    }

    @Test
    void aPermanentFailureIsCountedAndNotRetried() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        FailureCandidate c = f.candidate("c1", Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0, "<m@x>"));
        f.transport.fail(
                "ruf@f0.example",
                new DeliveryOutcome.PermanentFailure(DeliveryOutcome.Cause.REJECTED, "550 no such user"));
        DispatchResult r = f.dispatcher.dispatch(c, T0);
        assertThat(r.retry()).isFalse();
        assertThat(r.reports().get(0).status()).isEqualTo(Status.FAILED);
        assertThat(r.reports().get(0).detail()).contains("550");
        assertThat(f.dispatcher.dispatch(c, T0 + 60).reports().get(0).status()).isEqualTo(Status.ALREADY_SENT);
        assertThat(f.metrics.get(FailureMetrics.FAILED)).isEqualTo(1);
    }

    @Test
    void aDeferredDnsAnswerIsRetriedAndTheRestIsNotRepeated() {
        TogglingDns dns = new TogglingDns(DNS, "ext.example._report._dmarc.vendor.example");
        DispatchFixture f = new DispatchFixture(dns, Map.of());
        FailureCandidate c = f.candidate("c1", Mix.ALL_FAIL.result("ext.example", "192.0.2.7", T0, "<m@x>"));
        dns.failing = true;
        DispatchResult first = f.dispatcher.dispatch(c, T0);
        assertThat(first.retry()).isTrue();
        assertThat(first.reports())
                .extracting(DispatchResult.Report::recipient, DispatchResult.Report::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("mailto:f@vendor.example", Status.RETRY),
                        org.assertj.core.groups.Tuple.tuple("ruf@ext.example", Status.SENT));
        dns.failing = false;
        DispatchResult second = f.dispatcher.dispatch(c, T0 + 60);
        assertThat(second.retry()).isFalse();
        assertThat(f.sent()).containsExactly("dmarc ruf@ext.example dkim, spf", "dmarc f@vendor.example dkim, spf");
    }

    @Test
    void likeIncidentsWithinTheWindowGoOutAsOneReportWithIncidents() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        for (int i = 0; i < 5; i++) {
            FailureCandidate c =
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + i, "<m" + i + "@x>"));
            DispatchResult r = f.dispatcher.dispatch(c, T0 + i);
            assertThat(r.reports().get(0).status()).isEqualTo(i == 0 ? Status.SENT : Status.MERGED);
        }
        // another source IP is another slot
        f.dispatcher.dispatch(
                f.candidate("o", Mix.ALL_FAIL.result("f0.example", "198.51.100.9", T0 + 2, "<o@x>")), T0 + 2);
        assertThat(f.transport.received()).hasSize(2);
        assertThat(f.scheduler.calls).isEqualTo(1);

        List<DispatchResult> flushed = f.runFlushes(T0 + 10);
        assertThat(flushed).hasSize(1);
        assertThat(flushed.get(0).reports().get(0).incidents()).isEqualTo(4);
        List<RecordingMailTransport.Received> got = f.transport.received();
        assertThat(got).hasSize(3);
        String merged = text(got.get(2).mail().message());
        assertThat(field(merged, "Incidents")).isEqualTo("4");
        assertThat(field(merged, "Source-IP")).isEqualTo("192.0.2.7");
        // the representative is the first held incident, not the one reported at once
        assertThat(field(merged, "Arrival-Date")).isEqualTo("Tue, 1 Dec 2026 10:00:01 +0000");
        assertThat(merged).contains("Subject: DMARC failure report for f0.example from 192.0.2.7, 4 incidents");
        assertThat(got.get(2).mail().messageId()).isNotEqualTo(got.get(0).mail().messageId());
        assertThat(f.metrics.get(FailureMetrics.MERGED)).isEqualTo(4);
        assertThat(f.metrics.get(FailureMetrics.SENT)).isEqualTo(3);

        // a repeated flush sends nothing; the slot stays open for one more window, then closes
        assertThat(f.dispatcher.flush(slotOf(f), T0 + 11).reports()).isEmpty();
        f.dispatcher.dispatch(
                f.candidate("late", Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + 25, "<l@x>")), T0 + 25);
        assertThat(f.transport.received()).hasSize(4);
        assertThat(field(text(f.transport.received().get(3).mail().message()), "Incidents"))
                .isEqualTo("-");
    }

    @Test
    void aFloodFromOneSourceIpBecomesOneReportPerWindow() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            long now = T0 + i / 100; // 100 messages a second for 100 seconds
            f.runFlushes(now);
            FailureCandidate c =
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "203.0.113.5", now, "<m" + i + "@forger>"));
            f.dispatcher.dispatch(c, now);
        }
        f.runFlushes(T0 + 10_000);
        List<RecordingMailTransport.Received> got = f.transport.received();
        // the first at once, then one merged report per 10-second window
        assertThat(got).hasSize(11);
        long incidents = 1;
        for (int i = 1; i < got.size(); i++) {
            incidents += Long.parseLong(field(text(got.get(i).mail().message()), "Incidents"));
        }
        assertThat(incidents).isEqualTo(n);
        assertThat(field(text(got.get(1).mail().message()), "Incidents")).isEqualTo("999");
        assertThat(f.metrics.get(FailureMetrics.MERGED)).isEqualTo(n - 1);
        assertThat(f.metrics.get(FailureMetrics.SENT)).isEqualTo(11);
        assertThat(f.metrics.get(FailureMetrics.RATE_LIMITED)).isZero();
    }

    @Test
    void aFloodFromManySourceIpsIsBoundedByTheDestinationLimit() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            long now = T0 + i / 100;
            f.runFlushes(now);
            String ip = "10." + (i / 65536) + "." + (i / 256 % 256) + "." + (i % 256);
            FailureCandidate c =
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", ip, now, "<m" + i + "@forger>"));
            f.dispatcher.dispatch(c, now);
        }
        assertThat(f.transport.received()).hasSize(100);
        f.runFlushes(T0 + 10 * 3600);
        // 100 in the first hour, 100 of the held ones when the next hour starts; the rest could
        // not go out within the longest hold (1 h) and are dropped, counted
        assertThat(f.transport.received()).hasSize(200);
        assertThat(f.metrics.get(FailureMetrics.SENT)).isEqualTo(200);
        assertThat(f.metrics.get(FailureMetrics.MERGED)).isEqualTo(n - 100);
        assertThat(f.metrics.get(FailureMetrics.RATE_LIMITED)).isEqualTo(n - 200);
        assertThat(f.transport.received().subList(100, 200))
                .allSatisfy(r ->
                        assertThat(field(text(r.mail().message()), "Incidents")).isEqualTo("-"));
    }

    @Test
    void theOverallLimitHoldsReportsAndSendsThemMergedLaterRatherThanDropping() {
        DispatchFixture f = new DispatchFixture(
                DNS, Map.of("failureReportsPerMinute", 5, "failureReportsPerDestinationPerHour", 0));
        // 4 incidents from each of 5 sources to 4 domains within one minute: 20 reports wanted
        List<String> domains = List.of("f0.example", "f1.example", "fall.example", "fnone.example");
        int k = 0;
        for (int s = 0; s < 5; s++) {
            for (String d : domains) {
                for (int i = 0; i < 4; i++) {
                    long now = T0 + k++ / 2;
                    FailureCandidate c =
                            f.candidate("c" + k, Mix.SOFTFAIL_NO_DKIM.result(d, "192.0.2." + s, now, "<m" + k + "@x>"));
                    f.dispatcher.dispatch(c, now);
                }
            }
        }
        assertThat(f.transport.received()).hasSize(5);
        f.runFlushes(T0 + 3600);
        long incidents = 0;
        for (var r : f.transport.received()) {
            String inc = field(text(r.mail().message()), "Incidents");
            incidents += inc.equals("-") ? 1 : Long.parseLong(inc);
        }
        assertThat(incidents).isEqualTo(80);
        // 5 at once; then each of the 20 slots once, 5 a minute: held, not dropped
        assertThat(f.transport.received()).hasSize(25);
        assertThat(f.metrics.get(FailureMetrics.MERGED)).isEqualTo(75);
        assertThat(f.metrics.get(FailureMetrics.RATE_LIMITED)).isZero();
    }

    @Test
    void aMergedReportThatFailsTemporarilyIsHeldAndSentLaterOrGivenUpAfterTheLongestHold() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        for (int i = 0; i < 3; i++) {
            f.dispatcher.dispatch(
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + i, "<m" + i + "@x>")),
                    T0 + i);
        }
        f.transport.fail("ruf@f0.example", new DeliveryOutcome.TemporaryFailure("421 busy"));
        List<DispatchResult> first = f.runFlushes(T0 + 10);
        assertThat(first.get(0).reports().get(0).status()).isEqualTo(Status.RETRY);
        assertThat(first.get(0).retry()).isFalse(); // the slot carries the retry
        f.transport.heal("ruf@f0.example");
        f.runFlushes(T0 + 10 + FailureDispatcher.FLUSH_RETRY_SECONDS);
        assertThat(f.transport.received()).hasSize(2);
        assertThat(field(text(f.transport.received().get(1).mail().message()), "Incidents"))
                .isEqualTo("2");

        DispatchFixture g = new DispatchFixture(DNS, Map.of());
        for (int i = 0; i < 3; i++) {
            g.dispatcher.dispatch(
                    g.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + i, "<m" + i + "@x>")),
                    T0 + i);
        }
        g.transport.fail("ruf@f0.example", new DeliveryOutcome.TemporaryFailure("421 busy"));
        List<DispatchResult> all = g.runFlushes(T0 + 2 * 3600);
        assertThat(all.get(all.size() - 1).reports().get(0).status()).isEqualTo(Status.FAILED);
        assertThat(all).hasSizeLessThanOrEqualTo(2 + (int) (FailureDispatcher.MAX_HOLD_SECONDS / 60));
        assertThat(g.scheduler.queue).isEmpty();
        assertThat(g.metrics.get(FailureMetrics.FAILED)).isEqualTo(1);
    }

    @Test
    void aFailedSchedulingIsRepairedByTheNextLateIncident() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        f.scheduler.failing = true;
        for (int i = 0; i < 3; i++) {
            f.dispatcher.dispatch(
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + i, "<m" + i + "@x>")),
                    T0 + i);
        }
        assertThat(f.scheduler.queue).isEmpty();
        f.scheduler.failing = false;
        // held incidents are not lost while the slot is late: the next one joins and schedules
        f.dispatcher.dispatch(
                f.candidate("c9", Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + 30, "<m9@x>")), T0 + 30);
        f.runFlushes(T0 + 60);
        assertThat(f.transport.received()).hasSize(2);
        assertThat(field(text(f.transport.received().get(1).mail().message()), "Incidents"))
                .isEqualTo("3");
    }

    @Test
    void aRestartedSenderFindsDueSlotsInTheLedger() {
        DispatchFixture f = new DispatchFixture(DNS, Map.of());
        for (int i = 0; i < 4; i++) {
            f.dispatcher.dispatch(
                    f.candidate("c" + i, Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0 + i, "<m" + i + "@x>")),
                    T0 + i);
        }
        // the in-process timers are gone; the ledger still knows
        f.scheduler.queue.clear();
        List<FailureLedger.DueSlot> due = f.ledger.dueSlots(T0 + 100, 10);
        assertThat(due).hasSize(1);
        assertThat(f.dispatcher
                        .flush(due.get(0).slotKey(), T0 + 100)
                        .reports()
                        .get(0)
                        .incidents())
                .isEqualTo(3);
        assertThat(f.ledger.dueSlots(T0 + 100, 10)).isEmpty();
    }

    private static String slotOf(DispatchFixture f) {
        FailureCandidate c = f.candidate("x", Mix.ALL_FAIL.result("f0.example", "192.0.2.7", T0, "<x@x>"));
        var plan = new org.dmarcreporter.core.report.routing.FailureReportPlanner(
                        f.dns, org.dmarcreporter.core.report.mechanism.Sampler.byKey(), "reporter.example")
                .plan(c, 0, List.of());
        return FailureDispatcher.slotKey(
                plan.reports().get(0).recipient(),
                "f0.example",
                plan.reports().get(0).report());
    }

    /** The quoted header block (the text/rfc822-headers part). */
    static String quoted(String mail) {
        int i = mail.indexOf("Content-Type: text/rfc822-headers");
        assertThat(i).isPositive();
        return mail.substring(i);
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    /** DNS that fails temporarily for one name while {@code failing}. */
    static final class TogglingDns implements DnsResolver {
        private final DnsResolver inner;
        private final String name;
        volatile boolean failing;

        TogglingDns(DnsResolver inner, String name) {
            this.inner = inner;
            this.name = name;
        }

        @Override
        public TxtAnswer txt(String n) {
            return failing && strip(n).equalsIgnoreCase(name) ? TxtAnswer.TEMPFAIL : inner.txt(n);
        }

        @Override
        public DnsStatus exists(String n) {
            return failing && strip(n).equalsIgnoreCase(name) ? DnsStatus.TEMPFAIL : inner.exists(n);
        }

        private static String strip(String n) {
            return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
        }
    }
}
