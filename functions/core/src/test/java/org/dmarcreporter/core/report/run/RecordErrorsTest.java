package org.dmarcreporter.core.report.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;
import org.junit.jupiter.api.Test;

class RecordErrorsTest {

    @Test
    void aValidRecordHasNoErrors() {
        assertThat(RecordErrors.of(record("v=DMARC1; p=reject; sp=none; np=quarantine; adkim=S; aspf=r; t=y; psd=n;"
                        + " fo=1:d; rua=mailto:dmarc@example.com,mailto:r@vendor.example")))
                .isEmpty();
    }

    @Test
    void invalidPoliciesAreNamedWithThePolicyThatApplied() {
        assertThat(RecordErrors.of(record("v=DMARC1; p=block; np=; rua=mailto:dmarc@example.com")))
                .containsExactly(
                        "p=block is not a valid policy: handled as p=none",
                        "np= is not a valid policy: handled as p=none");
    }

    @Test
    void tagsThatFellBackToTheirDefaultsAreNamedWithTheDefault() {
        assertThat(RecordErrors.of(record("v=DMARC1; aspf=strict; psd=maybe; rua=mailto:dmarc@example.com")))
                .containsExactly(
                        "aspf=strict is not valid: the default aspf=r applies",
                        "psd=maybe is not valid: the default psd=u applies");
    }

    @Test
    void ruaUrisThatCanNeverGetAReportAreNamedInRecordOrder() {
        assertThat(RecordErrors.of(record("v=DMARC1; p=none; rua=mailto:a@example.com, bad uri, ftp://r.example/x")))
                .containsExactly(
                        "unusable rua URI ignored: bad uri", "ftp://r.example/x: only mailto: URIs are supported");
    }

    @Test
    void theFirstOccurrenceOfARepeatedTagIsTheOneJudged() {
        assertThat(RecordErrors.of(record("v=DMARC1; p=reject; p=bogus; rua=mailto:dmarc@example.com")))
                .isEmpty();
    }

    private static DmarcRecord record(String text) {
        return ((RecordParseResult.Valid) DmarcRecordParser.parse(text)).record();
    }
}
