package org.dmarcreporter.core.report.xml;

import static org.assertj.core.api.Assertions.assertThat;

import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;
import org.junit.jupiter.api.Test;

class PublishedPolicyTest {

    @Test
    void aRecordWithAnInvalidPolicyIsReportedAsTheNonePolicyThatWasApplied() {
        PublishedPolicy p =
                PublishedPolicy.of("example.com", record("v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com"));

        assertThat(p.p()).isEqualTo(Policy.NONE);
        assertThat(p.sp()).isEqualTo(Policy.NONE);
        assertThat(p.np()).isEqualTo(Policy.NONE);
    }

    @Test
    void aValidRecordIsReportedWithItsPoliciesAndTheirDefaults() {
        PublishedPolicy p = PublishedPolicy.of(
                "example.com", record("v=DMARC1; p=reject; sp=quarantine; rua=mailto:r@example.com"));

        assertThat(p.p()).isEqualTo(Policy.REJECT);
        assertThat(p.sp()).isEqualTo(Policy.QUARANTINE);
        assertThat(p.np()).isEqualTo(Policy.QUARANTINE);
    }

    private static DmarcRecord record(String text) {
        return ((RecordParseResult.Valid) DmarcRecordParser.parse(text)).record();
    }
}
