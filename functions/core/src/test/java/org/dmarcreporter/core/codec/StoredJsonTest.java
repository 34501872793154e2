package org.dmarcreporter.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.codec.StoredJson.UnreadableRecordException;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;
import org.junit.jupiter.api.Test;

class StoredJsonTest {

    /** The records behind the files in {@code stored-json/}, as they were captured. */
    static final AggregateRow FULL_ROW = new AggregateRow(
            "2001:db8::1",
            "example.com",
            "",
            ReportedDisposition.QUARANTINE,
            false,
            true,
            List.of(OverrideReason.POLICY_TEST_MODE, new OverrideReason("other", "a \"quoted\" note \u00e9\u2028")),
            List.of(new DkimAuth("example.com", "s1", "fail"), new DkimAuth("esp.example", "k", "pass")),
            new SpfAuth("example.com", "mfrom", "pass"));

    static final AggregateRow BARE_ROW = new AggregateRow(
            "192.0.2.1", "example.org", null, ReportedDisposition.PASS, true, false, List.of(), List.of(), null);
    static final FailureCandidate FULL_CANDIDATE = new FailureCandidate(
            "id-1",
            "example.com",
            "v=DMARC1; p=reject; ruf=mailto:f@example.com",
            Set.of(FailureTrigger.DMARC_ALL_FAILED, FailureTrigger.DKIM_FAILED, FailureTrigger.SPF_FAILED),
            new AuthenticationResult(
                    "m-1",
                    Instant.parse("2026-11-27T09:00:00Z"),
                    "192.0.2.7",
                    25025,
                    "mx.sender.example",
                    "bounce@sender.example",
                    List.of("a@rcpt.example", "b@rcpt.example"),
                    "Alice <alice@example.com>",
                    new SpfCheck(SpfResult.FAIL, "sender.example", SpfScope.MFROM),
                    List.of(
                            new DkimCheck(DkimResult.FAIL, "example.com", "s1", true),
                            new DkimCheck(DkimResult.PASS, "esp.example", null, false)),
                    "From: Alice <alice@example.com>\r\nSubject: hi \u00e9\r\n"),
            new Verdict("m-1", "example.com", DmarcResult.FAIL, Policy.REJECT, false, false),
            Instant.parse("2026-11-27T09:00:01.123456Z"));
    static final FailureCandidate MINIMAL_CANDIDATE = new FailureCandidate(
            "id-2",
            "example.net",
            "v=DMARC1; p=none; fo=1; ruf=mailto:f@example.net",
            Set.of(FailureTrigger.DMARC_ANY_FAILED),
            new AuthenticationResult(
                    null, null, "198.51.100.9", null, null, null, List.of(), "example.net", null, List.of(), null),
            new Verdict(null, "example.net", DmarcResult.FAIL, Policy.NONE, false, false),
            Instant.parse("2026-11-27T09:00:02Z"));

    @Test
    void readsRowsStoredByTheHandWrittenCodec() {
        assertThat(StoredJson.row(resource("stored-json/row-full.json"))).isEqualTo(FULL_ROW);
        AggregateRow bare = StoredJson.row(resource("stored-json/row-bare.json"));
        assertThat(bare).isEqualTo(BARE_ROW);
        assertThat(bare.envelopeFrom()).isNull();
        assertThat(bare.spf()).isNull();
    }

    @Test
    void readsFailureCandidatesStoredByTheHandWrittenCodec() {
        assertThat(StoredJson.candidate(resource("stored-json/candidate-full.json")))
                .isEqualTo(FULL_CANDIDATE);
        FailureCandidate minimal = StoredJson.candidate(resource("stored-json/candidate-minimal.json"));
        assertThat(minimal).isEqualTo(MINIMAL_CANDIDATE);
        assertThat(minimal.result().messageId()).isNull();
        assertThat(minimal.result().receivedAt()).isNull();
        assertThat(minimal.result().sourcePort()).isNull();
        assertThat(minimal.result().headers()).isNull();
        assertThat(minimal.verdict().messageId()).isNull();
    }

    @Test
    void writesTheSameBytesAsTheHandWrittenCodec() {
        // DynamoDB and SQLite keep one row JSON per counter; a changed byte would be a changed format.
        assertThat(StoredJson.rowJson(FULL_ROW)).isEqualTo(resource("stored-json/row-full.json"));
        assertThat(StoredJson.rowJson(BARE_ROW)).isEqualTo(resource("stored-json/row-bare.json"));
        assertThat(StoredJson.candidateJson(FULL_CANDIDATE)).isEqualTo(resource("stored-json/candidate-full.json"));
        assertThat(StoredJson.candidateJson(MINIMAL_CANDIDATE))
                .isEqualTo(resource("stored-json/candidate-minimal.json"));
    }

    @Test
    void aRowReadsBackEqualWithTheSameKey() {
        for (AggregateRow row : List.of(FULL_ROW, BARE_ROW)) {
            AggregateRow back = StoredJson.row(StoredJson.rowJson(row));

            assertThat(back).isEqualTo(row);
            assertThat(back.key()).isEqualTo(row.key());
        }
    }

    @Test
    void rowsThatDifferOnlyInEnvelopeFromPresenceHaveDifferentKeys() {
        AggregateRow unknown = new AggregateRow(
                "192.0.2.1", "example.com", null, ReportedDisposition.NONE, true, false, List.of(), List.of(), null);
        AggregateRow nullSender = new AggregateRow(
                "192.0.2.1", "example.com", "", ReportedDisposition.NONE, true, false, List.of(), List.of(), null);

        assertThat(unknown.key()).isNotEqualTo(nullSender.key());
        assertThat(StoredJson.row(StoredJson.rowJson(unknown)).envelopeFrom()).isNull();
        assertThat(StoredJson.row(StoredJson.rowJson(nullSender)).envelopeFrom())
                .isEmpty();
    }

    @Test
    void aFailureCandidateReadsBackWithTheWholeResult() {
        for (FailureCandidate candidate : List.of(FULL_CANDIDATE, MINIMAL_CANDIDATE)) {
            assertThat(StoredJson.candidate(StoredJson.candidateJson(candidate)))
                    .isEqualTo(candidate);
        }
    }

    @Test
    void triggersAreStoredInDeclarationOrderWhateverTheSetOrder() {
        FailureCandidate c = new FailureCandidate(
                "id",
                "example.com",
                "v=DMARC1; p=none",
                Set.of(FailureTrigger.SPF_FAILED, FailureTrigger.DMARC_ANY_FAILED, FailureTrigger.DKIM_FAILED),
                MINIMAL_CANDIDATE.result(),
                MINIMAL_CANDIDATE.verdict(),
                MINIMAL_CANDIDATE.storedAt());

        assertThat(StoredJson.candidateJson(c))
                .contains("\"triggers\":[\"DMARC_ANY_FAILED\",\"DKIM_FAILED\",\"SPF_FAILED\"]");
    }

    @Test
    void aMissingRequiredFieldIsAnErrorNamingIt() {
        // The old reader turned a missing sourceIp into "" and stored it in a report.
        String noSourceIp = StoredJson.rowJson(BARE_ROW).replace("\"sourceIp\":\"192.0.2.1\",", "");

        assertThatThrownBy(() -> StoredJson.row(noSourceIp))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("aggregate row")
                .hasMessageContaining("'sourceIp'");
    }

    @Test
    void aNullRequiredFieldIsAnErrorNotTheTextNull() {
        // The old reader turned "selector":null into the selector "null".
        String nullSelector = StoredJson.rowJson(FULL_ROW).replace("\"selector\":\"s1\"", "\"selector\":null");

        assertThatThrownBy(() -> StoredJson.row(nullSelector))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("/dkim/0/selector");
    }

    @Test
    void aMissingRequiredBooleanIsAnErrorNotFalse() {
        String noAligned = StoredJson.rowJson(BARE_ROW).replace("\"dkimAligned\":true,", "");
        String nullAligned = StoredJson.rowJson(BARE_ROW).replace("\"dkimAligned\":true", "\"dkimAligned\":null");

        assertThatThrownBy(() -> StoredJson.row(noAligned)).hasMessageContaining("'dkimAligned'");
        assertThatThrownBy(() -> StoredJson.row(nullAligned)).hasMessageContaining("dkimAligned");
    }

    @Test
    void aNullOptionalFieldReadsAsNull() {
        String nullEnvelope = StoredJson.rowJson(FULL_ROW).replace("\"envelopeFrom\":\"\"", "\"envelopeFrom\":null");
        String nullMessageId = resource("stored-json/candidate-full.json")
                .replace("\"result\":{\"messageId\":\"m-1\"", "\"result\":{\"messageId\":null");

        assertThat(StoredJson.row(nullEnvelope).envelopeFrom()).isNull();
        assertThat(StoredJson.candidate(nullMessageId).result().messageId()).isNull();
    }

    @Test
    void problemsInsideTheStoredResultNameTheirPath() {
        String candidate = resource("stored-json/candidate-full.json");

        assertThatThrownBy(() ->
                        StoredJson.candidate(candidate.replace("\"headerFrom\":\"Alice <alice@example.com>\",", "")))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("failure candidate")
                .hasMessageContaining("/result")
                .hasMessageContaining("'headerFrom'");
        assertThatThrownBy(() -> StoredJson.candidate(candidate.replace("\"dmarc\":\"fail\"", "\"dmarc\":\"maybe\"")))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("/verdict/dmarc");
        assertThatThrownBy(() -> StoredJson.candidate(candidate.replace("\"DKIM_FAILED\"", "\"DKIM_BROKEN\"")))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("/triggers/1");
        assertThatThrownBy(() ->
                        StoredJson.candidate(candidate.replace("\"storedAt\":\"2026-11-27T09:00:01.123456Z\",", "")))
                .hasMessageContaining("'storedAt'");
    }

    @Test
    void fieldsAddedByALaterVersionAreIgnored() {
        String withExtra =
                resource("stored-json/row-bare.json").replace("{\"sourceIp\"", "{\"addedLater\":[1],\"sourceIp\"");

        assertThat(StoredJson.row(withExtra)).isEqualTo(BARE_ROW);
    }

    @Test
    void textThatIsNotJsonIsAnErrorWithoutTheText() {
        assertThatThrownBy(() -> StoredJson.candidate("{\"headers\":\"secret header\" oops"))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("not JSON")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> StoredJson.row("null")).isInstanceOf(UnreadableRecordException.class);
        assertThatThrownBy(() -> StoredJson.row(StoredJson.rowJson(BARE_ROW) + "{}"))
                .isInstanceOf(UnreadableRecordException.class);
    }

    static String resource(String name) {
        try (InputStream in = StoredJsonTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
