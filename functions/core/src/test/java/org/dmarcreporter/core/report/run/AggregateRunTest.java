package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import org.dmarcreporter.core.dns.ZoneBackedResolver;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.run.RunSummary.RecipientReport;
import org.dmarcreporter.core.report.run.RunSummary.WindowReport;
import org.dmarcreporter.core.report.xml.CountedRow;
import org.dmarcreporter.core.settings.ReportingSettings;
import org.dmarcreporter.core.settings.SettingsReader;
import org.dmarcreporter.core.store.IngestBatch;
import org.dmarcreporter.core.store.StoredResult;
import org.dmarcreporter.core.testing.MutableClock;
import org.dmarcreporter.core.window.ReportingWindow;
import org.dmarcreporter.core.window.ReportingWindows;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;

class AggregateRunTest {

    static final long DAY = ReportingWindows.DAY_SECONDS;
    /** 2025-12-01T00:00:00Z. */
    static final long T0 = 1764547200L;

    static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.example.com.                         TXT "v=DMARC1; p=reject"
            _dmarc.example.org.                         TXT "v=DMARC1; p=none"
            _dmarc.vendor.example.                      TXT "v=DMARC1; p=none"
            example.com._report._dmarc.vendor.example.  TXT "v=DMARC1;"
            example.com._report._dmarc.other.example.   TXT "not a dmarc record"
            """;

    static final String RECORD = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

    final InMemoryReportLedger ledger = new InMemoryReportLedger();
    final FakeTransport transport = new FakeTransport();
    final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T0 + DAY + 120));
    final Map<String, Object> settings = new HashMap<>(Map.of(
            "orgName",
            "reporter.example",
            "contactEmail",
            "dmarc-contact@reporter.example",
            "returnPath",
            "bounces@reporter.example"));

    AggregateRun run() {
        return run(RunOptions.defaults("reporter.example"));
    }

    AggregateRun run(RunOptions options) {
        ReportingSettings s = SettingsReader.read(settings);
        return new AggregateRun(
                ledger,
                new ReportDestinations(ZoneFileResolver.fromText(ZONE)),
                transport,
                s,
                options,
                clock,
                d -> clock.advance(d));
    }

    static AggregateRow row(String ip) {
        return new AggregateRow(
                ip,
                "example.com",
                "example.com",
                ReportedDisposition.PASS,
                true,
                true,
                List.of(),
                List.of(new DkimAuth("example.com", "s1", "pass")),
                new SpfAuth("example.com", "mfrom", "pass"));
    }

    void add(String domain, long start, String record, String ip, long count) {
        AggregateRow r = row(ip);
        ledger.add(new ReportingWindow(domain, start), record, r.key(), new CountedRow(r, count));
    }

    /** Ingests one result at the clock's time, into the window ReportingWindows picks. */
    void ingest(String ip) {
        ReportingWindow w = ReportingWindows.windowFor("example.com", clock.instant(), ledger.latestCut("example.com"));
        ledger.ingest(new IngestBatch(
                null,
                new byte[0],
                List.of(new StoredResult(null, w, row(ip), RECORD, null, 0)),
                false,
                clock.instant()));
    }

    @Test
    void firstRunSendsTheReportWithNamesAndDateRangeOfItsWindow() throws Exception {
        add("example.com", T0, RECORD, "192.0.2.1", 41);
        add("example.com", T0, RECORD, "192.0.2.2", 1);

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(transport.sent).hasSize(1);
        Report report = Report.of(transport.sent.get(0));
        assertThat(transport.sent.get(0).recipients()).containsExactly("dmarc@example.com");
        assertThat(report.fileName).isEqualTo("reporter.example!example.com!" + T0 + "!" + (T0 + DAY - 1) + ".xml.gz");
        assertThat(report.reportId).isEqualTo(T0 + "-example.com@reporter.example");
        assertThat(report.begin).isEqualTo(T0);
        assertThat(report.end).isEqualTo(T0 + DAY - 1);
        assertThat(report.counts).containsExactly(41L, 1L);
        WindowReport w = summary.reports().get(0);
        assertThat(w.status()).isEqualTo("reported");
        assertThat(w.rows()).isEqualTo(2);
        assertThat(w.messages()).isEqualTo(42);
        assertThat(w.recipients()).extracting(RecipientReport::status).containsExactly("sent");
        assertThat(ledger.unreportedCount()).isZero();
        assertThat(ledger.reported(new ReportingWindow("example.com", T0)))
                .get()
                .satisfies(m -> {
                    assertThat(m.reportId()).isEqualTo(report.reportId);
                    assertThat(m.begin()).isEqualTo(T0);
                    assertThat(m.end()).isEqualTo(T0 + DAY - 1);
                });

        clock.advance(Duration.ofDays(1));
        assertThat(run().run(RunRequest.midnight(), null).reports()).isEmpty();
        assertThat(transport.sent).hasSize(1);
    }

    @Test
    void openAndUnsettledWindowsWait() {
        add("example.com", T0 + DAY, RECORD, "192.0.2.1", 1); // still open
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        clock.set(Instant.ofEpochSecond(T0 + DAY + 20)); // ended 20 s ago: not settled

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(summary.reports()).isEmpty();
        assertThat(summary.totals().notSettled()).isEqualTo(2);
        assertThat(transport.sent).isEmpty();
    }

    @Test
    void recipientFailingOnceGetsTheSameReportExactlyOnceOnALaterRun() throws Exception {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:agg@reports.example.com",
                "192.0.2.1",
                5);
        transport.failTemporarily("agg@reports.example.com", 1);

        RunSummary first = run().run(RunRequest.midnight(), null);
        assertThat(first.reports().get(0).status()).isEqualTo("pending");
        assertThat(first.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("sent", "failed");
        Long nextRetry = first.reports().get(0).recipients().get(1).nextRetry();
        assertThat(nextRetry).isEqualTo(clock.instant().getEpochSecond() + 15 * 60);
        assertThat(ledger.unreportedCount()).isEqualTo(1);

        // Before the retry time: nothing is sent.
        clock.advance(Duration.ofMinutes(5));
        RunSummary early = run().run(RunRequest.midnight(), null);
        assertThat(early.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("already-sent", "deferred");
        assertThat(transport.sent).hasSize(1);

        clock.advance(Duration.ofMinutes(15));
        RunSummary retry = run().run(RunRequest.midnight(), null);
        assertThat(retry.reports().get(0).status()).isEqualTo("reported");
        assertThat(retry.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("already-sent", "sent");
        assertThat(transport.sent).hasSize(2);
        assertThat(transport.to("dmarc@example.com")).hasSize(1);
        List<OutgoingMail> agg = transport.to("agg@reports.example.com");
        assertThat(agg).hasSize(2);
        assertThat(agg.get(1).recipients()).containsExactly("agg@reports.example.com");
        Report original = Report.of(transport.sent.get(0));
        Report resent = Report.of(agg.get(1));
        assertThat(resent.messageId).isEqualTo(original.messageId);
        assertThat(resent.fileName).isEqualTo(original.fileName);
        assertThat(resent.reportId).isEqualTo(original.reportId);
        assertThat(resent.begin).isEqualTo(original.begin);
        assertThat(resent.end).isEqualTo(original.end);
        assertThat(resent.xml).isEqualTo(original.xml);
        // Both recipients stand in the To header of the resend, as in the first message.
        assertThat(resent.to).isEqualTo(original.to).contains("dmarc@example.com", "agg@reports.example.com");

        clock.advance(Duration.ofDays(1));
        assertThat(run().run(RunRequest.midnight(), null).reports()).isEmpty();
        assertThat(transport.sent).hasSize(2);
    }

    @Test
    void aRecipientThatKeepsFailingIsGivenUpAfterFiveAttemptsAndTheWindowIsDone() {
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        transport.failTemporarily("dmarc@example.com", 100);

        RunSummary last = null;
        for (int i = 0; i < 10 && ledger.unreportedCount() > 0; i++) {
            last = run().run(RunRequest.midnight(), null);
            clock.advance(Duration.ofHours(7));
        }

        assertThat(transport.sent).hasSize(5);
        assertThat(last.reports().get(0).status()).isEqualTo("reported");
        assertThat(last.reports().get(0).recipients().get(0).status()).isEqualTo("given-up");
        assertThat(last.totals().givenUp()).isEqualTo(1);
        assertThat(ledger.deliveries(new ReportingWindow("example.com", T0)).get("dmarc@example.com"))
                .isInstanceOf(DeliveryState.GivenUp.class)
                .extracting(DeliveryState::attempts)
                .isEqualTo(5);
    }

    @Test
    void aPermanentFailureIsGivenUpAtOnceWhileTheOtherRecipientGetsIt() {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:gone@example.com,mailto:dmarc@example.com",
                "192.0.2.1",
                1);
        transport.failPermanently("gone@example.com");

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(summary.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("given-up", "sent");
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
        assertThat(transport.sent).hasSize(1);
    }

    @Test
    void aMissedMidnightIsCaughtUpWithEachWindowsOwnDateRange() throws Exception {
        add("example.com", T0, RECORD, "192.0.2.1", 3);
        add("example.com", T0 + DAY, RECORD, "192.0.2.2", 4);
        clock.set(Instant.ofEpochSecond(T0 + 2 * DAY + 120)); // the run at T0 + DAY never happened

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(transport.sent).hasSize(2);
        Report first = Report.of(transport.sent.get(0));
        Report second = Report.of(transport.sent.get(1));
        assertThat(List.of(first.begin, first.end, second.begin, second.end))
                .containsExactly(T0, T0 + DAY - 1, T0 + DAY, T0 + 2 * DAY - 1);
        assertThat(first.counts).containsExactly(3L);
        assertThat(second.counts).containsExactly(4L);
        assertThat(first.reportId).isNotEqualTo(second.reportId);
        assertThat(summary.reports()).extracting(w -> w.dateRange().begin()).containsExactly(T0, T0 + DAY);
        assertThat(ledger.unreportedCount()).isZero();
    }

    @Test
    void sendNowClosesTheOpenWindowAndAResultIngestedAfterTheCutLandsInTheNextWindow() throws Exception {
        clock.set(Instant.ofEpochSecond(T0 + 10 * 3600));
        ingest("192.0.2.1");
        long cut = clock.instant().getEpochSecond();
        // The pause after the cut is when a result may still arrive: it must count after the cut.
        AggregateRun sendNow = new AggregateRun(
                ledger,
                new ReportDestinations(ZoneFileResolver.fromText(ZONE)),
                transport,
                SettingsReader.read(settings),
                RunOptions.defaults("reporter.example"),
                clock,
                d -> {
                    clock.advance(Duration.ofSeconds(1));
                    ingest("192.0.2.2");
                    clock.advance(d);
                });

        RunSummary summary = sendNow.run(RunRequest.sendNow(null), null);

        assertThat(summary.cutAt()).isEqualTo(cut);
        assertThat(ledger.cuts("example.com")).containsExactly(cut);
        assertThat(transport.sent).hasSize(1);
        Report closed = Report.of(transport.sent.get(0));
        assertThat(closed.begin).isEqualTo(T0);
        assertThat(closed.end).isEqualTo(cut - 1);
        assertThat(closed.ips).containsExactly("192.0.2.1");

        clock.set(Instant.ofEpochSecond(T0 + DAY + 120));
        run().run(RunRequest.midnight(), null);
        assertThat(transport.sent).hasSize(2);
        Report next = Report.of(transport.sent.get(1));
        assertThat(next.begin).isEqualTo(cut);
        assertThat(next.end).isEqualTo(T0 + DAY - 1);
        assertThat(next.ips).containsExactly("192.0.2.2");
        assertThat(next.reportId).isNotEqualTo(closed.reportId);
    }

    @Test
    void aSecondSendNowInTheSameSecondCutsAtTheNextSecondAndReportsWhatCameBetween() throws Exception {
        clock.set(Instant.ofEpochSecond(T0 + 10 * 3600));
        AggregateRun local = run(RunOptions.defaults("reporter.example").withSettle(Duration.ZERO));
        ingest("192.0.2.1");
        long first = clock.instant().getEpochSecond();
        assertThat(local.run(RunRequest.sendNow(null), null).cutAt()).isEqualTo(first);
        clock.advance(Duration.ofMillis(300));
        ingest("192.0.2.2"); // after the first cut, in the same second

        RunSummary second = local.run(RunRequest.sendNow(null), null);

        // A cut at `first` again would end nothing: 192.0.2.2 would wait for the next run.
        assertThat(second.cutAt()).isEqualTo(first + 1);
        assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(first + 1)); // waited 700 ms, no more
        assertThat(transport.sent).hasSize(2);
        Report between = Report.of(transport.sent.get(1));
        assertThat(between.begin).isEqualTo(first);
        assertThat(between.end).isEqualTo(first);
        assertThat(between.ips).containsExactly("192.0.2.2");
    }

    @Test
    void sendNowForOneDomainLeavesTheOthersOpen() {
        clock.set(Instant.ofEpochSecond(T0 + 3600));
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        add("example.org", T0, "v=DMARC1; p=none; rua=mailto:d@example.org", "192.0.2.1", 1);

        RunSummary summary = run().run(RunRequest.sendNow("example.org"), null);

        assertThat(summary.reports()).extracting(WindowReport::domain).containsExactly("example.org");
        assertThat(transport.sent)
                .singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("d@example.org"));
        assertThat(ledger.cuts("example.com")).isEmpty();
        assertThat(ledger.unreportedCount()).isEqualTo(1);
    }

    @Test
    void externalDestinationsAreVerifiedBothWays() throws Exception {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:r@vendor.example,mailto:r@other.example",
                "192.0.2.1",
                1);

        RunSummary summary = run().run(RunRequest.midnight(), null);

        List<RecipientReport> recipients = summary.reports().get(0).recipients();
        assertThat(recipients).extracting(RecipientReport::status).containsExactly("sent", "skipped");
        assertThat(recipients.get(1).reason()).contains("has not authorized");
        assertThat(transport.sent)
                .singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("r@vendor.example"));
        // Whether a destination authorized us is a DNS answer, not a problem with the record, and
        // it may change between two sends of one report: it stays out of the error element.
        assertThat(Report.of(transport.sent.get(0)).xml).doesNotContain("<error>");
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
        assertThat(summary.totals().skipped()).isEqualTo(1);
    }

    @Test
    void aVerificationThatFailsTemporarilyIsRetriedOnALaterRun() throws Exception {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:r@vendor.example,mailto:dmarc@example.com",
                "192.0.2.1",
                1);
        ZoneBackedResolver upstream =
                new ZoneBackedResolver(ZONE).failWith("example.com._report._dmarc.vendor.example", Rcode.SERVFAIL);

        RunSummary first = runWith(upstream).run(RunRequest.midnight(), null);

        assertThat(first.reports().get(0).status()).isEqualTo("pending");
        assertThat(first.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("deferred", "sent");
        assertThat(transport.sent)
                .singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("dmarc@example.com"));

        upstream.heal("example.com._report._dmarc.vendor.example");
        clock.advance(Duration.ofMinutes(16));
        RunSummary second = runWith(upstream).run(RunRequest.midnight(), null);

        assertThat(second.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("sent", "already-sent");
        assertThat(second.reports().get(0).status()).isEqualTo("reported");
        assertThat(transport.sent).hasSize(2);
        assertThat(transport.sent.get(1).recipients()).containsExactly("r@vendor.example");
    }

    @Test
    void aResendAfterAVerificationTurnedFromDeferredToRefusedCarriesTheSameXml() throws Exception {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:r@vendor.example,mailto:r@other.example",
                "192.0.2.1",
                1);
        ZoneBackedResolver upstream = new ZoneBackedResolver(ZONE)
                .failWith("example.com._report._dmarc.vendor.example", Rcode.SERVFAIL)
                .failWith("example.com._report._dmarc.other.example", Rcode.SERVFAIL);

        RunSummary first = runWith(upstream).run(RunRequest.midnight(), null);
        upstream.heal("example.com._report._dmarc.vendor.example");
        upstream.heal("example.com._report._dmarc.other.example");
        clock.advance(Duration.ofMinutes(16));
        RunSummary second = runWith(upstream).run(RunRequest.midnight(), null);

        assertThat(first.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("sent", "deferred", "deferred");
        assertThat(second.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("already-sent", "sent", "skipped");
        assertThat(transport.sent).hasSize(2);
        assertThat(Report.of(transport.sent.get(1)).xml).isEqualTo(Report.of(transport.sent.get(0)).xml);
    }

    @Test
    void anInvalidSpIsNamedInTheErrorAndThePolicyIsReportedAsTheNoneThatApplied() throws Exception {
        add("example.com", T0, "v=DMARC1; p=reject; sp=bogus; rua=mailto:dmarc@example.com", "192.0.2.1", 1);

        run().run(RunRequest.midnight(), null);

        String xml = Report.of(transport.sent.get(0)).xml;
        assertThat(xml).contains("<error>sp=bogus is not a valid policy: handled as p=none</error>");
        assertThat(xml).contains("<p>none</p>").contains("<sp>none</sp>").contains("<np>none</np>");
    }

    @Test
    void unsupportedRuaSchemesAndTagsThatFellBackToTheirDefaultsAreNamedInTheError() throws Exception {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; adkim=x; t=maybe; fo=2; rua=https://r.example/in,mailto:dmarc@example.com",
                "192.0.2.1",
                1);

        run().run(RunRequest.midnight(), null);

        assertThat(Report.of(transport.sent.get(0)).xml)
                .contains("<error>https://r.example/in: only mailto: URIs are supported;"
                        + " adkim=x is not valid: the default adkim=r applies;"
                        + " t=maybe is not valid: the default t=n applies;"
                        + " fo=2 is not valid: the default fo=0 applies</error>");
    }

    AggregateRun runWith(ZoneBackedResolver upstream) {
        return new AggregateRun(
                ledger,
                new ReportDestinations(new CachingDnsResolver(upstream, clock)),
                transport,
                SettingsReader.read(settings),
                RunOptions.defaults("reporter.example"),
                clock,
                d -> clock.advance(d));
    }

    @Test
    void recipientLimitAppliesAndCopiesGoInAMessageOfTheirOwn() throws Exception {
        settings.put("maxReportRecipients", 1);
        settings.put("copyReportsTo", List.of("copy@reporter.example"));
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:second@example.com",
                "192.0.2.1",
                1);

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(summary.reports().get(0).recipients())
                .extracting(RecipientReport::recipient, RecipientReport::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dmarc@example.com", "sent"),
                        org.assertj.core.groups.Tuple.tuple(null, "skipped"),
                        org.assertj.core.groups.Tuple.tuple("copy@reporter.example", "sent"));
        assertThat(summary.reports().get(0).recipients().get(1).reason()).contains("maxReportRecipients");
        assertThat(transport.sent).hasSize(2);
        Report main = Report.of(transport.sent.get(0));
        Report copy = Report.of(transport.sent.get(1));
        assertThat(main.to).isEqualTo("dmarc@example.com");
        assertThat(copy.to).isEqualTo("copy@reporter.example");
        assertThat(copy.reportId).isEqualTo(main.reportId);
        assertThat(transport.sent).noneMatch(m -> m.recipients().contains("second@example.com"));
        assertThat(main.xml).doesNotContain("<error>");
    }

    @Test
    void theCopyMessageHasAMessageIdOfItsOwnDerivedFromTheWindow() {
        settings.put("copyReportsTo", List.of("copy@reporter.example"));
        add("example.com", T0, RECORD, "192.0.2.1", 1);

        run().run(RunRequest.midnight(), null);

        assertThat(transport.sent).hasSize(2);
        OutgoingMail main = transport.sent.get(0);
        OutgoingMail copy = transport.sent.get(1);
        assertThat(main.messageId()).isEqualTo("<" + T0 + "-example.com@reporter.example>");
        assertThat(copy.messageId()).isEqualTo("<" + T0 + "-example.com.copy@reporter.example>");
        assertThat(new String(main.message(), StandardCharsets.US_ASCII))
                .contains("\r\nMessage-ID: " + main.messageId() + "\r\n");
        assertThat(new String(copy.message(), StandardCharsets.US_ASCII))
                .contains("\r\nMessage-ID: " + copy.messageId() + "\r\n")
                .doesNotContain(main.messageId());
    }

    @Test
    void sendAggregateReportsFalseSendsNothingAndKeepsNothingPending() {
        settings.put("sendAggregateReports", false);
        add("example.com", T0, RECORD, "192.0.2.1", 1);

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(transport.sent).isEmpty();
        assertThat(summary.reports()).singleElement().satisfies(w -> {
            assertThat(w.status()).isEqualTo("not-sent");
            assertThat(w.recipients()).isEmpty();
        });
        assertThat(ledger.unreportedCount()).isZero();
        assertThat(ledger.deliveries(new ReportingWindow("example.com", T0))).isEmpty();
    }

    @Test
    void dryRunWritesTheMessagesAndSendsMarksAndCutsNothing() throws Exception {
        clock.set(Instant.ofEpochSecond(T0 + DAY + 3600));
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        add("example.com", T0 + DAY, RECORD, "192.0.2.2", 1); // open: shown as if cut now
        Map<String, OutgoingMail> written = new LinkedHashMap<>();

        RunSummary summary = run().run(new RunRequest(true, null, true), written::put);

        assertThat(transport.sent).isEmpty();
        assertThat(written).hasSize(2);
        assertThat(written.keySet())
                .first()
                .isEqualTo("reporter.example!example.com!" + T0 + "!" + (T0 + DAY - 1) + ".eml");
        assertThat(summary.reports()).extracting(WindowReport::status).containsExactly("dry-run", "dry-run");
        assertThat(summary.reports().get(1).dateRange().end()).isEqualTo(T0 + DAY + 3600 - 1);
        assertThat(ledger.unreportedCount()).isEqualTo(2);
        assertThat(ledger.cuts("example.com")).isEmpty();
        assertThat(ledger.deliveries(new ReportingWindow("example.com", T0))).isEmpty();

        run().run(RunRequest.midnight(), null);
        assertThat(transport.sent)
                .singleElement()
                .satisfies(m -> assertThat(Report.of(m).xml)
                        .isEqualTo(Report.of(written.values().iterator().next()).xml));
    }

    @Test
    void aFailingDomainDoesNotStopTheOthers() {
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        add("example.org", T0, "v=DMARC1; p=none; rua=mailto:d@example.org", "192.0.2.1", 1);
        add("example.net", T0, "v=DMARC1; p=none; rua=mailto:d@example.net", "192.0.2.1", 1);
        MailTransport broken = mail -> {
            if (mail.recipients().contains("d@example.net")) {
                throw new IllegalStateException("SES throttled");
            }
            return transport.send(mail);
        };
        AggregateRun aggregate = new AggregateRun(
                ledger,
                new ReportDestinations(ZoneFileResolver.fromText(ZONE)),
                broken,
                SettingsReader.read(settings),
                RunOptions.defaults("reporter.example"),
                clock,
                d -> {});

        RunSummary summary = aggregate.run(RunRequest.midnight(), null);

        assertThat(summary.reports())
                .extracting(WindowReport::domain, WindowReport::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("example.com", "reported"),
                        org.assertj.core.groups.Tuple.tuple("example.net", "pending"),
                        org.assertj.core.groups.Tuple.tuple("example.org", "reported"));
        assertThat(summary.reports().get(1).recipients().get(0).reason()).contains("SES throttled");
        assertThat(summary.anyFailed()).isTrue();
        assertThat(transport.sent).hasSize(2);
    }

    @Test
    void aReportOverTheSizeLimitIsSkippedAndCounted() {
        for (int i = 0; i < 200; i++) {
            add("example.com", T0, RECORD, "192.0.2." + i, 1);
        }

        RunSummary summary = run(RunOptions.defaults("reporter.example").withMaxMessageBytes(11_000))
                .run(RunRequest.midnight(), null);

        assertThat(transport.sent).isEmpty();
        assertThat(summary.reports().get(0).recipients().get(0).status()).isEqualTo("skipped");
        assertThat(summary.totals().tooLarge()).isEqualTo(1);
        assertThat(ledger.unreportedCount()).isZero();
    }

    @Test
    void aReportStoppedAtTheSizeLimitClaimsNoRowCount() {
        for (int i = 0; i < 2_000; i++) {
            add("example.com", T0, RECORD, "198.51." + (i / 250) + "." + (i % 250), i + 1);
        }

        RunSummary summary = run(RunOptions.defaults("reporter.example").withMaxMessageBytes(30_000))
                .run(RunRequest.midnight(), null);

        WindowReport w = summary.reports().get(0);
        assertThat(w.recipients().get(0).reason()).startsWith("report too large");
        // Rendering stopped part way: a count of the rows read so far would not be the window's.
        assertThat(w.rows()).isNull();
        assertThat(w.messages()).isNull();
        assertThat(w.bytes()).isNull();
    }

    @Test
    void aSizeRefusalFromTheRelayCountsAsTooLargeNotAsGivenUp() {
        transport.refuseAsTooLarge("dmarc@example.com");
        add("example.com", T0, RECORD, "192.0.2.1", 1);

        RunSummary summary = run().run(RunRequest.midnight(), null);

        RecipientReport r = summary.reports().get(0).recipients().get(0);
        assertThat(r.status()).isEqualTo("skipped");
        assertThat(r.reason()).startsWith("report too large").contains("552 5.3.4");
        assertThat(summary.totals().tooLarge()).isEqualTo(1);
        assertThat(summary.totals().givenUp()).isZero();
        assertThat(summary.totals().skipped()).isEqualTo(1);
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
        assertThat(ledger.deliveries(new ReportingWindow("example.com", T0)).get("dmarc@example.com"))
                .isInstanceOfSatisfying(
                        DeliveryState.GivenUp.class, g -> assertThat(g.reason()).startsWith("report too large"));
    }

    @Test
    void theDefaultSizeLimitIsSesV2s() {
        // SES v2 takes 40 MB after base64 (its quotas page); 10 MiB left a 1,000,000-row day undelivered.
        assertThat(RunOptions.defaults("reporter.example").maxMessageBytes()).isEqualTo(40_000_000L);
    }

    @Test
    void aWindowNoRecipientGotIsMarkedWithWhyAndOneAnyRecipientGotIsMarkedReported() {
        add("example.com", T0, "v=DMARC1; p=reject; rua=mailto:r@other.example", "192.0.2.1", 1);
        add("example.org", T0, "v=DMARC1; p=none; rua=mailto:dmarc@example.org", "192.0.2.1", 1);

        run().run(RunRequest.midnight(), null);

        assertThat(transport.sent).hasSize(1);
        assertThat(ledger.reported(new ReportingWindow("example.com", T0))
                        .orElseThrow()
                        .outcome())
                .startsWith("reported: no recipient got it: mailto:r@other.example: ")
                .contains("has not authorized");
        assertThat(ledger.reported(new ReportingWindow("example.org", T0))
                        .orElseThrow()
                        .outcome())
                .isEqualTo("reported");
    }

    @Test
    void rfc7489SizeSuffixKeepsAnOversizedReportFromThatUriOnly() throws Exception {
        settings.put("reportFormat", "rfc7489");
        String record = "v=DMARC1; p=reject; rua=mailto:small@example.com!1k,mailto:big@example.com!10m";
        for (int i = 0; i < 200; i++) {
            add("example.com", T0, record, "192.0.2." + i, 1);
        }

        RunSummary summary = run().run(RunRequest.midnight(), null);

        List<RecipientReport> recipients = summary.reports().get(0).recipients();
        assertThat(recipients).extracting(RecipientReport::status).containsExactly("skipped", "sent");
        assertThat(recipients.get(0).reason()).startsWith("report too large for the URI's !size limit (");
        assertThat(transport.sent).singleElement().satisfies(m -> {
            assertThat(m.recipients()).containsExactly("big@example.com");
            assertThat(new String(m.message(), java.nio.charset.StandardCharsets.US_ASCII))
                    .contains("To: big@example.com")
                    .doesNotContain("small@example.com");
        });
        assertThat(summary.totals().tooLarge()).isEqualTo(1);
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
    }

    @Test
    void rfc9990IgnoresTheObsoleteSizeSuffix() {
        String record = "v=DMARC1; p=reject; rua=mailto:small@example.com!1k";
        for (int i = 0; i < 200; i++) {
            add("example.com", T0, record, "192.0.2." + i, 1);
        }

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(summary.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("sent");
        assertThat(transport.sent)
                .singleElement()
                .satisfies(m -> assertThat(m.recipients()).containsExactly("small@example.com"));
    }

    @Test
    void unusableRuaUrisAreNamedInTheReportsErrorElement() throws Exception {
        add("example.com", T0, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com, not a uri, mailto:", "192.0.2.1", 1);

        run().run(RunRequest.midnight(), null);

        assertThat(Report.of(transport.sent.get(0)).xml)
                .contains("<error>unusable rua URI ignored: not a uri; unusable rua URI ignored: mailto:</error>");
    }

    @Test
    void rowsAreReadPageByPageWhileTheReportIsWritten() throws Exception {
        for (int i = 0; i < 7; i++) {
            add("example.com", T0, RECORD, "192.0.2." + i, i + 1);
        }

        run(RunOptions.defaults("reporter.example").withPageSize(3)).run(RunRequest.midnight(), null);

        assertThat(ledger.largestRowPage()).isEqualTo(3);
        assertThat(ledger.rowPages()).isEqualTo(3);
        assertThat(Report.of(transport.sent.get(0)).counts).hasSize(7).containsOnly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void parallelRunReportsEveryWindowOnce() {
        for (int d = 0; d < 40; d++) {
            add("d" + d + ".example.com", T0, "v=DMARC1; p=none; rua=mailto:dmarc@example.com", "192.0.2.1", 1);
        }

        RunSummary summary = run(RunOptions.defaults("reporter.example")
                        .withConcurrency(4)
                        .withPageSize(7))
                .run(RunRequest.midnight(), null);

        assertThat(summary.totals().reported()).isEqualTo(40);
        assertThat(transport.sent).hasSize(40);
        assertThat(transport.sent.stream().map(OutgoingMail::messageId).distinct())
                .hasSize(40);
    }

    @Test
    void summaryIsJsonWithTheDocumentedShape() throws Exception {
        add("example.com", T0, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com,https://x.example/r", "192.0.2.1", 2);

        JsonNode json = new ObjectMapper()
                .readTree(run().run(RunRequest.midnight(), null).toJson());

        assertThat(json.get("trigger").asText()).isEqualTo("midnight");
        JsonNode w = json.get("reports").get(0);
        assertThat(w.get("domain").asText()).isEqualTo("example.com");
        assertThat(w.get("reportId").asText()).isEqualTo(T0 + "-example.com@reporter.example");
        assertThat(w.get("dateRange").get("begin").asLong()).isEqualTo(T0);
        assertThat(w.get("dateRange").get("end").asLong()).isEqualTo(T0 + DAY - 1);
        assertThat(w.get("status").asText()).isEqualTo("reported");
        assertThat(w.get("messages").asLong()).isEqualTo(2);
        assertThat(w.get("recipients").get(0).get("recipient").asText()).isEqualTo("dmarc@example.com");
        assertThat(w.get("recipients").get(0).get("status").asText()).isEqualTo("sent");
        assertThat(w.get("recipients").get(1).get("status").asText()).isEqualTo("skipped");
        assertThat(w.get("recipients").get(1).get("reason").asText()).contains("mailto");
        assertThat(w.get("recipients").get(1).has("recipient")).isFalse();
        assertThat(json.get("totals").get("sent").asInt()).isEqualTo(1);
    }

    /** What a test reads back from one message. */
    record Report(
            String messageId,
            String to,
            String fileName,
            String reportId,
            long begin,
            long end,
            List<Long> counts,
            List<String> ips,
            String xml) {

        static Report of(OutgoingMail mail) throws Exception {
            MimeMessage m =
                    new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mail.message()));
            MimeBodyPart attachment = (MimeBodyPart) ((MimeMultipart) m.getContent()).getBodyPart(1);
            String xml =
                    new String(new GZIPInputStream(attachment.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
            return new Report(
                    m.getMessageID(),
                    m.getHeader("To", ","),
                    attachment.getFileName(),
                    one(xml, "report_id"),
                    Long.parseLong(one(xml, "begin")),
                    Long.parseLong(one(xml, "end")),
                    all(xml, "count").stream().map(Long::parseLong).toList(),
                    all(xml, "source_ip"),
                    xml);
        }

        private static String one(String xml, String tag) {
            return all(xml, tag).get(0);
        }

        private static List<String> all(String xml, String tag) {
            Matcher m = Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(xml);
            List<String> out = new ArrayList<>();
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }
    }

    @Test
    void aRunThatStartsWhileAnotherSendsTheWindowLeavesItBusyAndSendsNothing() {
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        List<RunSummary> inner = new ArrayList<>();
        // the second run (a message SQS delivers twice, a send-now during the midnight backlog)
        // starts while the first is sending: it reads the delivery state the first has not written yet
        MailTransport overlapping = new MailTransport() {
            @Override
            public org.dmarcreporter.core.report.delivery.Delivery send(OutgoingMail mail) {
                if (inner.isEmpty()) {
                    inner.add(run().run(RunRequest.midnight(), null));
                }
                return transport.send(mail);
            }
        };
        AggregateRun first = new AggregateRun(
                ledger,
                new ReportDestinations(ZoneFileResolver.fromText(ZONE)),
                overlapping,
                SettingsReader.read(settings),
                RunOptions.defaults("reporter.example"),
                clock,
                d -> clock.advance(d));

        RunSummary summary = first.run(RunRequest.midnight(), null);

        assertThat(transport.to("dmarc@example.com")).hasSize(1);
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
        WindowReport busy = inner.get(0).reports().get(0);
        assertThat(busy.status()).isEqualTo("busy");
        assertThat(busy.recipients()).isEmpty();
        assertThat(inner.get(0).totals().busy()).isEqualTo(1);
        assertThat(inner.get(0).anyFailed()).isFalse();
    }

    @Test
    void aLeaseLeftByACrashedRunHoldsTheWindowUntilItRunsOut() {
        add("example.com", T0, RECORD, "192.0.2.1", 1);
        ReportingWindow w = new ReportingWindow("example.com", T0);
        long now = clock.instant().getEpochSecond();
        assertThat(ledger.takeLease(w, "crashed", now, now + AggregateRun.LEASE.getSeconds()))
                .isTrue();

        assertThat(run().run(RunRequest.midnight(), null).reports().get(0).status())
                .isEqualTo("busy");
        assertThat(transport.sent).isEmpty();

        clock.advance(AggregateRun.LEASE.plusSeconds(1));
        assertThat(run().run(RunRequest.midnight(), null).reports().get(0).status())
                .isEqualTo("reported");
        assertThat(transport.to("dmarc@example.com")).hasSize(1);
    }

    @Test
    void aRecipientGivenUpInThisRunFailsTheRunButNotTheRunsAfterIt() {
        add(
                "example.com",
                T0,
                "v=DMARC1; p=reject; rua=mailto:gone@example.com,mailto:dmarc@example.com",
                "192.0.2.1",
                1);
        transport.failPermanently("gone@example.com").failTemporarily("dmarc@example.com", 1);

        RunSummary first = run().run(RunRequest.midnight(), null);
        assertThat(first.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("given-up", "failed");
        assertThat(first.totals().givenUp()).isEqualTo(1);
        assertThat(first.anyFailed()).isTrue();

        clock.advance(Duration.ofHours(7));
        RunSummary retry = run().run(RunRequest.midnight(), null);
        assertThat(retry.reports().get(0).recipients())
                .extracting(RecipientReport::status)
                .containsExactly("already-given-up", "sent");
        assertThat(retry.totals().givenUp()).isZero();
        assertThat(retry.anyFailed()).isFalse();
    }

    @Test
    void aPermanentRefusalAloneMakesTheRunFail() {
        add("example.com", T0, "v=DMARC1; p=reject; rua=mailto:gone@example.com", "192.0.2.1", 1);
        transport.failPermanently("gone@example.com");

        RunSummary summary = run().run(RunRequest.midnight(), null);

        assertThat(summary.totals().failed()).isZero();
        assertThat(summary.totals().errors()).isZero();
        assertThat(summary.reports().get(0).status()).isEqualTo("reported");
        assertThat(summary.anyFailed()).isTrue();
    }
}
