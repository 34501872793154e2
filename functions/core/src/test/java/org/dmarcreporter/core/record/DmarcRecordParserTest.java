package org.dmarcreporter.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.RecordParseResult.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DmarcRecordParserTest {

    private static DmarcRecord valid(String text) {
        RecordParseResult result = DmarcRecordParser.parse(text);
        assertThat(result).as(text).isInstanceOf(RecordParseResult.Valid.class);
        return ((RecordParseResult.Valid) result).record();
    }

    private static Reason invalidReason(String text) {
        RecordParseResult result = DmarcRecordParser.parse(text);
        assertThat(result).as(text).isInstanceOf(RecordParseResult.Invalid.class);
        return ((RecordParseResult.Invalid) result).reason();
    }

    @Test
    void versionAloneIsPolicyNoneWithAllDefaults() {
        DmarcRecord r = valid("v=DMARC1");
        assertThat(r.text()).isEqualTo("v=DMARC1");
        assertThat(r.policy()).isEqualTo(Policy.NONE);
        assertThat(r.policyValid()).isTrue();
        assertThat(r.subdomainPolicy()).isEmpty();
        assertThat(r.nonExistentPolicy()).isEmpty();
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.spfAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.psd()).isEqualTo(PsdFlag.U);
        assertThat(r.testMode()).isFalse();
        assertThat(r.failureOptions()).isEqualTo(FailureOptions.DEFAULT);
        assertThat(r.aggregateUris()).isEmpty();
        assertThat(r.failureUris()).isEmpty();
        assertThat(r.pct()).isEmpty();
        assertThat(r.reportFormat()).isEmpty();
        assertThat(r.reportInterval()).isEmpty();
    }

    @Test
    void fullRecordReadsEveryTag() {
        String text = "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=s; psd=n; t=y; "
                + "fo=1:d:s; rua=mailto:agg@example.com; ruf=mailto:fail@example.com";
        DmarcRecord r = valid(text);
        assertThat(r.text()).isEqualTo(text);
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.policyValid()).isTrue();
        assertThat(r.subdomainPolicy()).contains(Policy.QUARANTINE);
        assertThat(r.nonExistentPolicy()).contains(Policy.REJECT);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.STRICT);
        assertThat(r.spfAlignment()).isEqualTo(AlignmentMode.STRICT);
        assertThat(r.psd()).isEqualTo(PsdFlag.N);
        assertThat(r.testMode()).isTrue();
        assertThat(r.failureOptions()).isEqualTo(new FailureOptions(false, true, true, true, "1:d:s"));
        assertThat(r.aggregateUris()).containsExactly(new ReportUri("mailto:agg@example.com", "agg@example.com", null));
        assertThat(r.failureUris()).containsExactly(new ReportUri("mailto:fail@example.com", "fail@example.com", null));
    }

    @Test
    void ruaListWithObsoleteSizeSuffixAndSpaceAfterComma() {
        DmarcRecord r = valid("v=DMARC1; p=reject; rua=mailto:d@example.com!10m, mailto:x@y.example");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.aggregateUris())
                .containsExactly(
                        new ReportUri("mailto:d@example.com", "d@example.com", 10L * 1024 * 1024),
                        new ReportUri("mailto:x@y.example", "x@y.example", null));
    }

    @ParameterizedTest
    @CsvSource({
        "!10, 10",
        "!10k, 10240",
        "!10K, 10240",
        "!2m, 2097152",
        "!1g, 1073741824",
        "!1t, 1099511627776",
    })
    void sizeSuffixUnitsArePowersOf1024(String suffix, long bytes) {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:a@example.com" + suffix);
        assertThat(r.aggregateUris()).containsExactly(new ReportUri("mailto:a@example.com", "a@example.com", bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!", "!x", "!10q", "!k", "!99999999999999999t", "!1000000000000000000"})
    void malformedOrHugeSizeSuffixIsCutOffAndIgnored(String suffix) {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:a@example.com" + suffix);
        assertThat(r.aggregateUris()).containsExactly(new ReportUri("mailto:a@example.com", "a@example.com", null));
    }

    @Test
    void minimalRecordWithoutSpaces() {
        DmarcRecord r = valid("v=DMARC1;p=none");
        assertThat(r.policy()).isEqualTo(Policy.NONE);
        assertThat(r.policyValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "v=DMARC1; p=quarantine;",
                "v=DMARC1; p=quarantine; ",
                "v = DMARC1 ; p = quarantine ;",
                "v=DMARC1\t;\tp=quarantine",
                "  v=DMARC1; p=quarantine  ",
                "v=DMARC1;;p=quarantine;;",
                "v=DMARC1; p=quarantine\r\n",
            })
    void whitespaceAndTrailingSeparatorsAreAllowed(String text) {
        assertThat(valid(text).policy()).isEqualTo(Policy.QUARANTINE);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "V=DMARC1; p=reject",
                "v=dmarc1; p=reject",
                "v=DMARC2; p=reject",
                "v=DMARC1x; p=reject",
                "v=DMARC1 p=reject",
                "p=reject; v=DMARC1",
                "v=spf1 include:_spf.example.com ~all",
                "v=; p=reject",
                "x=DMARC1",
            })
    void firstTagMustBeExactlyVersionDmarc1(String text) {
        assertThat(invalidReason(text)).isEqualTo(Reason.NOT_DMARC1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"hello world", "v", "DMARC1", ";v=DMARC1", "v1=DMARC1", "=DMARC1", "google-site-verification"})
    void textThatIsNotATagListIsSyntax(String text) {
        assertThat(invalidReason(text)).isEqualTo(Reason.SYNTAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t\r\n"})
    void emptyTextIsEmpty(String text) {
        assertThat(invalidReason(text)).isEqualTo(Reason.EMPTY);
    }

    @Test
    void nullIsEmpty() {
        assertThat(invalidReason(null)).isEqualTo(Reason.EMPTY);
    }

    @ParameterizedTest
    @CsvSource({
        "none, NONE", "quarantine, QUARANTINE", "reject, REJECT",
        "Reject, REJECT", "QUARANTINE, QUARANTINE", "None, NONE",
    })
    void policyValuesAreReadCaseInsensitively(String value, Policy expected) {
        DmarcRecord r = valid("v=DMARC1; p=" + value + "; sp=" + value + "; np=" + value);
        assertThat(r.policy()).isEqualTo(expected);
        assertThat(r.subdomainPolicy()).contains(expected);
        assertThat(r.nonExistentPolicy()).contains(expected);
        assertThat(r.policyValid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"p=rejectt", "p=", "p=re ject", "p=100", "p=\u00e9"})
    void invalidPolicyMarksRecordAndKeepsNone(String tag) {
        DmarcRecord r = valid("v=DMARC1; " + tag + "; rua=mailto:a@example.com");
        assertThat(r.policy()).isEqualTo(Policy.NONE);
        assertThat(r.policyValid()).isFalse();
        assertThat(r.hasAggregateUri()).isTrue();
    }

    @Test
    void invalidSubdomainPolicyMarksRecordAndStaysEmpty() {
        DmarcRecord r = valid("v=DMARC1; p=reject; sp=bogus; np=quarantine");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.policyValid()).isFalse();
        assertThat(r.subdomainPolicy()).isEmpty();
        assertThat(r.nonExistentPolicy()).contains(Policy.QUARANTINE);
    }

    @Test
    void invalidNonExistentPolicyMarksRecordAndStaysEmpty() {
        DmarcRecord r = valid("v=DMARC1; p=reject; sp=none; np=maybe");
        assertThat(r.policyValid()).isFalse();
        assertThat(r.subdomainPolicy()).contains(Policy.NONE);
        assertThat(r.nonExistentPolicy()).isEmpty();
    }

    @Test
    void invalidPolicyWithoutRuaHasNoAggregateUri() {
        DmarcRecord r = valid("v=DMARC1; p=block");
        assertThat(r.policyValid()).isFalse();
        assertThat(r.hasAggregateUri()).isFalse();
    }

    @Test
    void tagOrderAfterVersionDoesNotMatter() {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:a@example.com; sp=none; adkim=s; p=reject");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.subdomainPolicy()).contains(Policy.NONE);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.STRICT);
    }

    @Test
    void firstOccurrenceOfARepeatedTagWins() {
        DmarcRecord r = valid("v=DMARC1; p=reject; p=none; adkim=s; adkim=r; v=DMARC2");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.STRICT);
    }

    @Test
    void repeatedTagWhoseFirstValueIsInvalidStaysInvalid() {
        DmarcRecord r = valid("v=DMARC1; p=rejet; p=reject");
        assertThat(r.policy()).isEqualTo(Policy.NONE);
        assertThat(r.policyValid()).isFalse();
    }

    @Test
    void unknownTagsAndUpperCaseTagNamesAreIgnored() {
        DmarcRecord r = valid("v=DMARC1; foo=bar; P=reject; xyz=; p=quarantine; ADKIM=s");
        assertThat(r.policy()).isEqualTo(Policy.QUARANTINE);
        assertThat(r.policyValid()).isTrue();
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.RELAXED);
    }

    @Test
    void malformedElementsInTheRemainderAreDiscarded() {
        DmarcRecord r = valid("v=DMARC1; garbage; p=reject; 1x=2; a-b=c; =x; t=y");
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
        assertThat(r.testMode()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "adkim=x, aspf=maybe, RELAXED, RELAXED",
        "adkim=S, aspf=R, STRICT, RELAXED",
        "adkim=r, aspf=s, RELAXED, STRICT",
    })
    void alignmentModesFallBackToRelaxed(String adkim, String aspf, AlignmentMode dkim, AlignmentMode spf) {
        DmarcRecord r = valid("v=DMARC1; " + adkim + "; " + aspf);
        assertThat(r.dkimAlignment()).isEqualTo(dkim);
        assertThat(r.spfAlignment()).isEqualTo(spf);
    }

    @ParameterizedTest
    @CsvSource({"y, Y", "n, N", "u, U", "Y, Y", "yes, U", "'', U"})
    void psdFlag(String value, PsdFlag expected) {
        assertThat(valid("v=DMARC1; psd=" + value).psd()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"y, true", "n, false", "Y, true", "yes, false", "1, false"})
    void testModeOnlyForY(String value, boolean expected) {
        assertThat(valid("v=DMARC1; p=reject; t=" + value).testMode()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0      | true  | false | false | false",
                "1      | false | true  | false | false",
                "d      | false | false | true  | false",
                "s      | false | false | false | true",
                "d:s    | false | false | true  | true",
                "s:d    | false | false | true  | true",
                "1:d:s  | false | true  | true  | true",
                "s:1    | false | true  | false | true",
                "0:d    | true  | false | true  | false",
                "D:S    | false | false | true  | true",
            })
    void failureOptionsCombinationsKeepPublishedText(String fo, boolean all, boolean any, boolean dkim, boolean spf) {
        FailureOptions options =
                valid("v=DMARC1; ruf=mailto:f@example.com; fo=" + fo).failureOptions();
        assertThat(options).isEqualTo(new FailureOptions(all, any, dkim, spf, fo));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0:1", "1:0", "d:d", "1:1", "2", "x", "1:", ":d", "1::d", "d,s"})
    void malformedFailureOptionsFallBackToDefault(String fo) {
        assertThat(valid("v=DMARC1; ruf=mailto:f@example.com; fo=" + fo).failureOptions())
                .isEqualTo(FailureOptions.DEFAULT);
    }

    @Test
    void removedRfc7489TagsAreStillRead() {
        DmarcRecord r = valid("v=DMARC1; p=quarantine; pct=20; rf=afrf; ri=3600");
        assertThat(r.pct()).contains(20);
        assertThat(r.reportFormat()).contains("afrf");
        assertThat(r.reportInterval()).contains(3600L);
        assertThat(r.policy()).isEqualTo(Policy.QUARANTINE);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"pct=101 | ri=-1", "pct=abc | ri=1h", "pct=-5 | ri=", "pct= | ri=99999999999999999999"})
    void invalidRemovedTagsStayEmpty(String pct, String ri) {
        DmarcRecord r = valid("v=DMARC1; " + pct + "; " + ri);
        assertThat(r.pct()).isEmpty();
        assertThat(r.reportInterval()).isEmpty();
    }

    @Test
    void pctBoundsAreInclusive() {
        assertThat(valid("v=DMARC1; pct=0").pct()).contains(0);
        assertThat(valid("v=DMARC1; pct=100").pct()).contains(100);
        assertThat(valid("v=DMARC1; pct=007").pct()).contains(7);
    }

    @Test
    void mailtoMailboxIsPercentDecodedWithoutQuery() {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:dmarc%2Breports@example.com?subject=DMARC%20report, "
                + "MAILTO:Reports@Example.COM");
        assertThat(r.aggregateUris())
                .containsExactly(
                        new ReportUri(
                                "mailto:dmarc%2Breports@example.com?subject=DMARC%20report",
                                "dmarc+reports@example.com", null),
                        new ReportUri("MAILTO:Reports@Example.COM", "Reports@Example.COM", null));
    }

    @Test
    void nonMailtoUrisAreKeptWithoutMailbox() {
        DmarcRecord r = valid("v=DMARC1; rua=https://reports.example.com/dmarc?x=1, mailto:a@example.com");
        assertThat(r.aggregateUris())
                .containsExactly(
                        new ReportUri("https://reports.example.com/dmarc?x=1", null, null),
                        new ReportUri("mailto:a@example.com", "a@example.com", null));
        assertThat(r.aggregateUris().get(0).isMailto()).isFalse();
        assertThat(r.aggregateUris().get(1).isMailto()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a@example.com", // no scheme
                "mailto:", // nothing after the scheme
                "mailto:a b@example.com", // space inside
                "mailto:a@exa mple.com",
                "mailto:noatsign",
                "mailto:@example.com",
                "mailto:a@",
                "mailto:a@-bad-.example",
                "mailto:a@[192.0.2.1]",
                "mailto:a%0D%0ABcc:x@example.com", // CRLF injection
                "mailto:a@example.com%0A",
                "mailto:a%ZZ@example.com", // bad escape
                "mailto:a%C3@example.com", // broken UTF-8
                "mailto:\"a\"@example.com", // '"' is not a URI character
                "1mailto:a@example.com", // scheme must start with a letter
                "mailto:a@example.com#x#y",
                "mailto:a@b.example@c.example",
                "http://exa<mple.com/",
            })
    void invalidUrisAreDropped(String uri) {
        DmarcRecord r = valid("v=DMARC1; p=none; rua=" + uri + ", mailto:ok@example.com");
        assertThat(r.aggregateUris()).extracting(ReportUri::uri).containsExactly("mailto:ok@example.com");
    }

    @Test
    void ruaWithoutAnyValidUriIsEmpty() {
        DmarcRecord r = valid("v=DMARC1; p=bogus; rua=not a uri");
        assertThat(r.aggregateUris()).isEmpty();
        assertThat(r.hasAggregateUri()).isFalse();
        assertThat(r.policyValid()).isFalse();
    }

    @Test
    void emptyListElementsAreSkipped() {
        DmarcRecord r = valid("v=DMARC1; rua=, mailto:a@example.com ,,mailto:b@example.com,");
        assertThat(r.aggregateUris()).extracting(ReportUri::mailbox).containsExactly("a@example.com", "b@example.com");
    }

    @Test
    void tagValueWithNonPrintableCharacterIsIgnored() {
        DmarcRecord r = valid("v=DMARC1; p=reject; adkim=s\u0001; rua=mailto:a@example.com\u00e9");
        assertThat(r.dkimAlignment()).isEqualTo(AlignmentMode.RELAXED);
        assertThat(r.aggregateUris()).isEmpty();
        assertThat(r.policy()).isEqualTo(Policy.REJECT);
    }

    @Test
    void realWorldRecordsParse() {
        DmarcRecord google = valid("v=DMARC1; p=reject; rua=mailto:mailauth-reports@google.com");
        assertThat(google.policy()).isEqualTo(Policy.REJECT);
        DmarcRecord gov = valid("v=DMARC1; p=reject; pct=100; fo=1; ri=3600; rua=mailto:dmarc_agg@vali.email,"
                + "mailto:dmarc@example.gov; ruf=mailto:dmarc_fail@example.gov");
        assertThat(gov.pct()).contains(100);
        assertThat(gov.failureOptions().anyFail()).isTrue();
        assertThat(gov.aggregateUris()).hasSize(2);
        assertThat(gov.failureUris()).extracting(ReportUri::mailbox).containsExactly("dmarc_fail@example.gov");
        DmarcRecord psd = valid("v=DMARC1; p=reject; psd=y");
        assertThat(psd.psd()).isEqualTo(PsdFlag.Y);
    }

    @Test
    void textIsKeptExactlyAsGiven() {
        String text = "  v=DMARC1 ;  p=none ; ";
        assertThat(valid(text).text()).isEqualTo(text);
    }

    @Test
    void recordListsAreImmutable() {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:a@example.com");
        List<ReportUri> uris = r.aggregateUris();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> uris.add(null))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(r.reportFormat()).isEqualTo(Optional.empty());
    }

    @Test
    void unusableReportUrisAreTheDroppedItemsAsPublished() {
        String text = "v=DMARC1; p=none; rua=mailto:a@example.com, https://r.example/x ,foo, mailto:@bad;"
                + " ruf=mailto:f@example.com; rua=mailto:ignored";
        assertThat(DmarcRecordParser.unusableReportUris(text, "rua")).containsExactly("foo", "mailto:@bad");
        assertThat(DmarcRecordParser.unusableReportUris(text, "ruf")).isEmpty();
        assertThat(DmarcRecordParser.unusableReportUris("v=DMARC1; rua=", "rua"))
                .containsExactly("");
        assertThat(DmarcRecordParser.unusableReportUris("v=DMARC1; p=none", "rua"))
                .isEmpty();
        assertThat(DmarcRecordParser.unusableReportUris("not dmarc; rua=foo", "rua"))
                .isEmpty();
    }

    @Test
    void sizeSuffixIsKeptOnTheUri() {
        DmarcRecord r = valid("v=DMARC1; rua=mailto:a@example.com!10m,mailto:b@example.com");
        assertThat(r.aggregateUris()).extracting(ReportUri::maxBytes).containsExactly(10L << 20, null);
    }
}
