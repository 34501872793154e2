package org.dmarcreporter.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.codec.StoredJsonTest.resource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.Verdict;
import org.junit.jupiter.api.Test;

/** Verdicts are the ingest answer: clients may compare bytes, so these stay as they were. */
class JsonWritingTest {

    private static final Verdict FULL =
            new Verdict("<a@b>", "example.com", DmarcResult.PASS, Policy.REJECT, true, true);
    private static final Verdict NO_POLICY = new Verdict(null, null, DmarcResult.NONE, Policy.NONE, false, false);

    @Test
    void aVerdictIsWrittenInTheAnswersFieldOrder() {
        assertThat(utf8(JsonWriting.bytes(FULL))).isEqualTo(resource("answer-json/verdict-full.json"));
        assertThat(utf8(JsonWriting.bytes(FULL)))
                .isEqualTo("{\"messageId\":\"<a@b>\",\"policyDomain\":\"example.com\",\"dmarc\":\"pass\","
                        + "\"disposition\":\"reject\",\"dkimAligned\":true,\"spfAligned\":true}");
    }

    @Test
    void absentMessageIdAndPolicyDomainAreLeftOut() {
        assertThat(utf8(JsonWriting.bytes(NO_POLICY))).isEqualTo(resource("answer-json/verdict-no-policy.json"));
        assertThat(utf8(JsonWriting.bytes(
                        new Verdict("m", null, DmarcResult.TEMPERROR, Policy.QUARANTINE, false, true))))
                .isEqualTo("{\"messageId\":\"m\",\"dmarc\":\"temperror\",\"disposition\":\"quarantine\","
                        + "\"dkimAligned\":false,\"spfAligned\":true}");
    }

    @Test
    void aBatchIsAnArrayOfVerdictsInOrder() {
        assertThat(utf8(JsonWriting.bytes(List.of(FULL, NO_POLICY))))
                .isEqualTo("[" + resource("answer-json/verdict-full.json") + ","
                        + resource("answer-json/verdict-no-policy.json") + "]");
    }

    @Test
    void textIsUtf8AndEscapedAsJsonRequires() {
        Verdict v = new Verdict("\"q\" \u00e9 \u0001", null, DmarcResult.FAIL, Policy.NONE, false, false);

        assertThat(JsonWriting.bytes(v))
                .startsWith("{\"messageId\":\"\\\"q\\\" \u00e9 \\u0001\"".getBytes(StandardCharsets.UTF_8));
        assertThat(JsonWriting.string(v)).isEqualTo(utf8(JsonWriting.bytes(v)));
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
