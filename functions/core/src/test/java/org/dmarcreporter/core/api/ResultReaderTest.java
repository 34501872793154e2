package org.dmarcreporter.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.SpfScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResultReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private static ResultReader.Outcome read(String json) throws Exception {
        return ResultReader.read(JSON.readTree(json), NOW);
    }

    private static ResultReader.Outcome withReceivedAt(String receivedAt) throws Exception {
        return read("{\"sourceIp\": \"192.0.2.1\", \"headerFrom\": \"a@example.com\", \"receivedAt\": \"" + receivedAt
                + "\"}");
    }

    @Test
    void readsEveryContractFieldAndWritesTheSourceIpCanonically() throws Exception {
        ResultReader.Outcome outcome = read("""
                {"messageId": "m", "receivedAt": "2026-11-27t10:15:30+01:00", "sourceIp": "2001:DB8:0::7",
                 "sourcePort": 25, "helo": "mx.example", "envelopeFrom": "", "envelopeTo": ["a@b.example"],
                 "headerFrom": "a@example.com", "spf": {"result": "softfail", "domain": "mx.example", "scope": "helo"},
                 "dkim": [{"result": "policy", "domain": "example.com", "selector": "s", "reportRequested": true}],
                 "headers": "From: a@example.com\\r\\nTo: b@b.example\\r\\n"}
                """);

        AuthenticationResult r =
                ((ResultReader.Outcome.Results) outcome).results().get(0);
        assertThat(r.receivedAt()).isEqualTo(Instant.parse("2026-11-27T09:15:30Z"));
        assertThat(r.sourceIp()).isEqualTo("2001:db8::7");
        assertThat(r.sourcePort()).isEqualTo(25);
        assertThat(r.envelopeFrom()).isEmpty();
        assertThat(r.spf().scope()).isEqualTo(SpfScope.HELO);
        assertThat(r.dkim().get(0).reportRequested()).isTrue();
        assertThat(r.headers()).contains("\r\n");
    }

    @Test
    void namesNestedAndListFieldsWithTheirPositions() throws Exception {
        ResultReader.Outcome outcome = read("""
                {"sourceIp": "192.0.2.1", "headerFrom": "a@example.com", "sourcePort": 70000,
                 "receivedAt": "yesterday", "envelopeTo": ["ok@example.com", "bad\\nline@example.com"],
                 "dkim": [{"result": "pass", "domain": "example.com"}, {"domain": "x.example"}, "nope"]}
                """);

        assertThat(outcome).isInstanceOf(ResultReader.Outcome.Invalid.class);
        assertThat(((ResultReader.Outcome.Invalid) outcome).errors())
                .extracting(FieldError::field, FieldError::pointer)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("receivedAt", "/receivedAt"),
                        org.assertj.core.groups.Tuple.tuple("sourcePort", "/sourcePort"),
                        org.assertj.core.groups.Tuple.tuple("envelopeTo[1]", "/envelopeTo/1"),
                        org.assertj.core.groups.Tuple.tuple("dkim[1].result", "/dkim/1/result"),
                        org.assertj.core.groups.Tuple.tuple("dkim[2]", "/dkim/2"));
    }

    @Test
    void refusesABodyThatIsNeitherAnObjectNorAnArray() throws Exception {
        assertThat(read("42")).isInstanceOf(ResultReader.Outcome.Invalid.class);
        assertThat(read("[1]")).isInstanceOf(ResultReader.Outcome.Invalid.class);
        assertThat(((ResultReader.Outcome.Results) read("[]")).results()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "2016-12-31T23:59:60Z, 2016-12-31T23:59:59Z",
        "2016-12-31t23:59:60.5z, 2016-12-31T23:59:59.5Z",
        "2016-12-31T15:59:60-08:00, 2016-12-31T23:59:59Z",
        "2015-06-30T23:59:60Z, 2015-06-30T23:59:59Z",
    })
    void acceptsAnRfc3339LeapSecondAsTheSecondBefore(String text, String instant) throws Exception {
        ResultReader.Outcome outcome = withReceivedAt(text);

        assertThat(outcome).isInstanceOf(ResultReader.Outcome.Results.class);
        assertThat(((ResultReader.Outcome.Results) outcome).results().get(0).receivedAt())
                .isEqualTo(Instant.parse(instant));
    }

    /** Second 60 only at 23:59 UTC on a month's last day (RFC 3339 §5.7); and RFC 3339 §5.6 syntax only. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "2016-12-30T23:59:60Z",
                "2016-12-31T22:59:60Z",
                "2016-12-31T23:59:61Z",
                "2016-12-31T23:59:60+01:00",
                "2026-11-27T10:15Z",
                "+2026-11-27T10:15:30Z",
                "2026-11-27T10:15:30",
                "2026-11-27T10:15:30+01:00:00",
                "2026-11-27 10:15:30Z",
                "２０２６-11-27T10:15:30Z",
                "2026-11-27T10:15:30.1234567890Z",
                "2026-02-30T10:15:30Z"
            })
    void refusesWhatIsNotAnRfc3339DateTime(String text) throws Exception {
        ResultReader.Outcome outcome = withReceivedAt(text);

        assertThat(outcome).isInstanceOf(ResultReader.Outcome.Invalid.class);
        assertThat(((ResultReader.Outcome.Invalid) outcome).errors())
                .extracting(FieldError::field)
                .containsExactly("receivedAt");
    }

    @Test
    void refusesAReceivedAtMoreThanADayAheadOfTheServersClock() throws Exception {
        assertThat(withReceivedAt("2026-11-28T10:00:00Z")).isInstanceOf(ResultReader.Outcome.Results.class);
        assertThat(withReceivedAt("2026-11-28T11:00:00+01:00")).isInstanceOf(ResultReader.Outcome.Results.class);
        assertThat(withReceivedAt("2025-01-01T00:00:00Z")).isInstanceOf(ResultReader.Outcome.Results.class);

        for (String ahead : new String[] {"2026-11-28T10:00:01Z", "9999-12-31T23:59:59Z"}) {
            ResultReader.Outcome outcome = withReceivedAt(ahead);
            assertThat(outcome).isInstanceOf(ResultReader.Outcome.Invalid.class);
            FieldError error = ((ResultReader.Outcome.Invalid) outcome).errors().get(0);
            assertThat(error.field()).isEqualTo("receivedAt");
            assertThat(error.message()).contains("ahead of the server's clock");
        }
    }

    @Test
    void aStoredResultIsReadBackWithoutTheBoundOnReceivedAt() throws Exception {
        List<FieldError> errors = new ArrayList<>();
        AuthenticationResult r = ResultReader.readOne(JSON.readTree("""
                {"sourceIp": "192.0.2.1", "headerFrom": "a@example.com", "receivedAt": "9999-12-31T23:59:59Z"}
                """), null, errors);

        assertThat(errors).isEmpty();
        assertThat(r.receivedAt()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    }
}
