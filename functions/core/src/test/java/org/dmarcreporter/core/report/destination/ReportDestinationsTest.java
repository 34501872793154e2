package org.dmarcreporter.core.report.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;
import org.dmarcreporter.core.record.ReportUri;
import org.junit.jupiter.api.Test;

class ReportDestinationsTest {

    private static final String ZONE = """
            $ORIGIN .
            $TTL 300
            _dmarc.example.com.                         TXT "v=DMARC1; p=reject"
            _dmarc.vendor.example.                      TXT "v=DMARC1; p=none"
            example.com._report._dmarc.vendor.example.  TXT "v=DMARC1;"
            example.com._report._dmarc.other.example.   TXT "not a dmarc record"
            example.com._report._dmarc.redirect.example. TXT "v=DMARC1; rua=mailto:a@redirect.example,mailto:b@redirect.example; ruf=mailto:f@redirect.example"
            example.com._report._dmarc.away.example.    TXT "v=DMARC1; rua=mailto:x@elsewhere.example"
            *._report._dmarc.wild.example.              TXT "v=DMARC1"
            """;

    private final ReportDestinations destinations = new ReportDestinations(ZoneFileResolver.fromText(ZONE));

    @Test
    void ownOrganizationalDomainNeedsNoVerification() {
        assertThat(choose("rua=mailto:dmarc@example.com,mailto:agg@reports.example.com"))
                .containsExactly(
                        new Destination.Send("mailto:dmarc@example.com", "dmarc@example.com", false),
                        new Destination.Send("mailto:agg@reports.example.com", "agg@reports.example.com", false));
    }

    @Test
    void externalDestinationThatAuthorizedTheDomainIsUsed() {
        assertThat(choose("rua=mailto:reports@vendor.example"))
                .containsExactly(new Destination.Send("mailto:reports@vendor.example", "reports@vendor.example", true));
    }

    @Test
    void externalDestinationWithoutAuthorizationIsSkipped() {
        List<Destination> chosen = choose("rua=mailto:reports@other.example,mailto:r@silent.example");
        assertThat(chosen).hasSize(2).allSatisfy(d -> assertThat(d).isInstanceOf(Destination.Skip.class));
        assertThat(((Destination.Skip) chosen.get(0)).reason()).contains("has not authorized");
    }

    @Test
    void wildcardAuthorizationCounts() {
        assertThat(choose("rua=mailto:r@wild.example"))
                .containsExactly(new Destination.Send("mailto:r@wild.example", "r@wild.example", true));
    }

    @Test
    void overrideOnTheSameHostReplacesTheAddressPerKind() {
        assertThat(choose("rua=mailto:r@redirect.example"))
                .containsExactly(
                        new Destination.Send("mailto:a@redirect.example", "a@redirect.example", true),
                        new Destination.Send("mailto:b@redirect.example", "b@redirect.example", true));
        assertThat(destinations.choose(
                        ReportKind.FAILURE,
                        "example.com",
                        uris("ruf=mailto:r@redirect.example").failureUris(),
                        0))
                .containsExactly(new Destination.Send("mailto:f@redirect.example", "f@redirect.example", true));
    }

    @Test
    void overrideToAnotherHostSendsToNeither() {
        assertThat(choose("rua=mailto:r@away.example"))
                .singleElement()
                .isInstanceOfSatisfying(
                        Destination.Skip.class, s -> assertThat(s.reason()).contains("elsewhere.example"));
    }

    @Test
    void onlyMailtoInRecordOrderUpToTheLimit() {
        List<Destination> chosen = destinations.choose(
                ReportKind.AGGREGATE,
                "example.com",
                uris("rua=https://collector.example/r,mailto:a@example.com,mailto:b@example.com,mailto:c@example.com")
                        .aggregateUris(),
                2);
        assertThat(chosen).hasSize(4);
        assertThat(chosen.get(0)).isInstanceOf(Destination.Skip.class);
        assertThat(chosen.get(1)).isEqualTo(new Destination.Send("mailto:a@example.com", "a@example.com", false));
        assertThat(chosen.get(2)).isEqualTo(new Destination.Send("mailto:b@example.com", "b@example.com", false));
        assertThat(chosen.get(3))
                .isInstanceOfSatisfying(
                        Destination.Skip.class, s -> assertThat(s.reason()).contains("maxReportRecipients"));
    }

    @Test
    void aSkippedUriDoesNotUseUpARecipientSlot() {
        List<Destination> chosen = choose("rua=mailto:r@other.example,mailto:dmarc@example.com", 1);
        assertThat(chosen).hasSize(2);
        assertThat(chosen.get(0))
                .isInstanceOfSatisfying(
                        Destination.Skip.class, s -> assertThat(s.reason()).contains("has not authorized"));
        assertThat(chosen.get(1))
                .isEqualTo(new Destination.Send("mailto:dmarc@example.com", "dmarc@example.com", false));
    }

    @Test
    void eachAddressOfAnOverrideTakesASlot() {
        assertThat(choose("rua=mailto:r@redirect.example", 1))
                .containsExactly(
                        new Destination.Send("mailto:a@redirect.example", "a@redirect.example", true),
                        new Destination.Skip("mailto:b@redirect.example", "beyond maxReportRecipients (1)"));
        assertThat(choose("rua=mailto:r@redirect.example,mailto:dmarc@example.com", 2))
                .containsExactly(
                        new Destination.Send("mailto:a@redirect.example", "a@redirect.example", true),
                        new Destination.Send("mailto:b@redirect.example", "b@redirect.example", true),
                        new Destination.Skip("mailto:dmarc@example.com", "beyond maxReportRecipients (2)"));
    }

    @Test
    void aDeferredDestinationKeepsItsSlot() {
        DnsResolver failing = vendorVerificationFailsTemporarily();
        List<Destination> chosen = new ReportDestinations(failing)
                .choose(
                        ReportKind.AGGREGATE,
                        "example.com",
                        uris("rua=mailto:reports@vendor.example,mailto:dmarc@example.com")
                                .aggregateUris(),
                        1);
        assertThat(chosen.get(0)).isInstanceOf(Destination.Defer.class);
        assertThat(chosen.get(1))
                .isEqualTo(new Destination.Skip("mailto:dmarc@example.com", "beyond maxReportRecipients (1)"));
    }

    @Test
    void noDnsQuestionsOnceTheLimitIsReached() {
        List<String> asked = new ArrayList<>();
        ZoneFileResolver zone = ZoneFileResolver.fromText(ZONE);
        DnsResolver recording = new DnsResolver() {
            @Override
            public TxtAnswer txt(String name) {
                asked.add(name);
                return zone.txt(name);
            }

            @Override
            public DnsStatus exists(String name) {
                asked.add(name);
                return zone.exists(name);
            }
        };
        new ReportDestinations(recording)
                .choose(
                        ReportKind.AGGREGATE,
                        "example.com",
                        uris("rua=mailto:dmarc@example.com,mailto:reports@vendor.example")
                                .aggregateUris(),
                        1);
        assertThat(asked).noneMatch(name -> name.contains("vendor.example"));
    }

    @Test
    void theSameAddressTwiceTakesOneSlot() {
        assertThat(choose("rua=mailto:dmarc@example.com,mailto:DMARC@example.com,mailto:b@example.com", 2))
                .containsExactly(
                        new Destination.Send("mailto:dmarc@example.com", "dmarc@example.com", false),
                        new Destination.Send("mailto:DMARC@example.com", "DMARC@example.com", false),
                        new Destination.Send("mailto:b@example.com", "b@example.com", false));
    }

    @Test
    void addressesThatCouldInjectHeadersAreSkipped() {
        // The record parser already drops such URIs; this checks the second line of defence.
        ReportUri injected = new ReportUri("mailto:a%0D%0ABcc:x@evil.example", "a\r\nBcc: x@evil.example", null);
        assertThat(destinations.choose(ReportKind.AGGREGATE, "example.com", List.of(injected), 0))
                .singleElement()
                .isInstanceOf(Destination.Skip.class);
    }

    @Test
    void aTemporaryDnsFailureDefersInsteadOfSkipping() {
        DnsResolver failing = vendorVerificationFailsTemporarily();
        assertThat(new ReportDestinations(failing)
                        .choose(
                                ReportKind.AGGREGATE,
                                "example.com",
                                uris("rua=mailto:reports@vendor.example").aggregateUris(),
                                0))
                .singleElement()
                .isInstanceOf(Destination.Defer.class);
    }

    @Test
    void verificationAsksTheNameOfTheRecordDomainUnderTheDestinationHost() {
        List<String> asked = new ArrayList<>();
        ZoneFileResolver zone = ZoneFileResolver.fromText(ZONE);
        DnsResolver recording = new DnsResolver() {
            @Override
            public TxtAnswer txt(String name) {
                asked.add(name);
                return zone.txt(name);
            }

            @Override
            public DnsStatus exists(String name) {
                return zone.exists(name);
            }
        };
        new ReportDestinations(recording)
                .choose(
                        ReportKind.AGGREGATE,
                        "example.com",
                        uris("rua=mailto:reports@vendor.example").aggregateUris(),
                        0);
        assertThat(asked).contains("example.com._report._dmarc.vendor.example");
    }

    private List<Destination> choose(String tags) {
        return choose(tags, 0);
    }

    private List<Destination> choose(String tags, int maxRecipients) {
        return destinations.choose(
                ReportKind.AGGREGATE, "example.com", uris(tags).aggregateUris(), maxRecipients);
    }

    private static DmarcRecord uris(String tags) {
        return ((RecordParseResult.Valid) DmarcRecordParser.parse("v=DMARC1; p=none; " + tags)).record();
    }

    /** The zone, except that vendor.example's {@code ._report._dmarc} question fails temporarily. */
    private static DnsResolver vendorVerificationFailsTemporarily() {
        ZoneFileResolver zone = ZoneFileResolver.fromText(ZONE);
        return new DnsResolver() {
            @Override
            public TxtAnswer txt(String name) {
                return name.endsWith("._report._dmarc.vendor.example") ? TxtAnswer.TEMPFAIL : zone.txt(name);
            }

            @Override
            public DnsStatus exists(String name) {
                return zone.exists(name);
            }
        };
    }
}
