package org.dmarcreporter.core.report.arf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportLoopsTest {

    private static boolean isReport(String headers) {
        return ReportLoops.isDmarcReport(Candidates.result(headers));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Subject: Report Domain: example.com Submitter: reporter.example Report-ID: 1-example.com@reporter.example\r\n",
                "Subject: Report domain: example.com Submitter: google.com Report-ID: <1234>\r\n",
                "Subject: Fwd: Report Domain: example.com\r\n Submitter: mail.example Report-ID: x\r\n",
                "Subject: =?UTF-8?Q?Report_Domain:_example.com_Submitter:_x.example?=\r\n",
                "Content-Type: multipart/report; report-type=feedback-report;\r\n\tboundary=\"b\"\r\n",
                "Content-Type: Multipart/Report; boundary=x; Report-Type=\"feedback-report\"\r\n",
                "Content-Type: message/feedback-report\r\n",
                "Content-Type: application/gzip\r\nContent-Disposition: attachment;\r\n"
                        + " filename=\"google.com!example.com!1764547200!1764633599.xml.gz\"\r\n",
                "Content-Type: application/zip\r\nSubject: DMARC aggregate report\r\n"
            })
    void reportsAreRecognised(String headers) {
        assertThat(isReport("From: a@b.example\r\n" + headers)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Subject: Quarterly report for example.com\r\nContent-Type: text/plain\r\n",
                "Subject: Domain renewal\r\nContent-Type: multipart/report; report-type=delivery-status\r\n",
                "Content-Type: application/gzip\r\nSubject: the logs you asked for\r\n",
                "Subject: hello\r\n\r\nSubject: Report Domain: x.example Submitter: y.example\r\n"
            })
    void otherMessagesAreNot(String headers) {
        assertThat(isReport(headers)).isFalse();
    }

    @Test
    void withoutHeadersNothingCanBeTold() {
        assertThat(isReport(null)).isFalse();
        assertThat(ReportLoops.isDmarcReport(null)).isFalse();
    }

    @Test
    void ourOwnFailureReportsAreRecognised() throws Exception {
        byte[] mail = ArfMessageTest.compose(ArfMessageTest.dmarcReport(Candidates.forged()), Privacy.NONE)
                .message();
        String text = new String(mail, java.nio.charset.StandardCharsets.US_ASCII);
        String headers = text.substring(0, text.indexOf("\r\n\r\n") + 2);
        assertThat(isReport(headers)).isTrue();
    }
}
