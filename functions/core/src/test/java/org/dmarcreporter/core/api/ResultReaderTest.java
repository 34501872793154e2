package org.dmarcreporter.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.SpfScope;
import org.junit.jupiter.api.Test;

class ResultReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ResultReader.Outcome read(String json) throws Exception {
        return ResultReader.read(JSON.readTree(json));
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

        AuthenticationResult r = ((ResultReader.Outcome.Results) outcome).results().get(0);
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
}
