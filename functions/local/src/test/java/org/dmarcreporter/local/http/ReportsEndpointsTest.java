package org.dmarcreporter.local.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.dmarcreporter.local.http.ReportsEndpoints.BadBody;
import org.dmarcreporter.local.http.ReportsEndpoints.SendNowBody;
import org.dmarcreporter.local.store.WindowListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportsEndpointsTest {

    private static final Path DEFAULT = Path.of("/data/dry-run");

    private static SendNowBody parse(String body) {
        return ReportsEndpoints.parse(body.getBytes(StandardCharsets.UTF_8), DEFAULT);
    }

    @Test
    void theBodyNamesADomainAndADryRunFolderOrNeither() {
        assertThat(parse("")).isEqualTo(new SendNowBody(null, null));
        assertThat(parse("{}")).isEqualTo(new SendNowBody(null, null));
        assertThat(parse("{\"domain\": \"Example.COM\"}")).isEqualTo(new SendNowBody("example.com", null));
        assertThat(parse("{\"dryRun\": true}")).isEqualTo(new SendNowBody(null, DEFAULT));
        assertThat(parse("{\"dryRun\": false, \"domain\": null}")).isEqualTo(new SendNowBody(null, null));
        assertThat(parse("{\"dryRun\": \"/tmp/out\"}")).isEqualTo(new SendNowBody(null, Path.of("/tmp/out")));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[]                        | body",
                "not json                  | body",
                "\"example.com\"           | body",
                "{\"domain\": 5}           | domain",
                "{\"domain\": \"a b\"}     | domain",
                "{\"dryRun\": 1}           | dryRun",
                "{\"dryRun\": \"\"}        | dryRun",
                "{\"domains\": []}         | domains",
            })
    void aBadBodyNamesTheField(String body, String field) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(BadBody.class, e -> assertThat(e.field).isEqualTo(field));
    }

    private static WindowListing.Recipient sent(String who) {
        return new WindowListing.Recipient(who, "sent", null, 1, 100L, null);
    }

    @Test
    void aWindowNotReportedYetIsPendingWithItsCountsAndSaysWhetherItStillCollects() {
        long now = 1_000_000;
        WindowListing open = new WindowListing("example.com", 0, "pending", 2L, 5L, null, null, null, List.of());
        ReportsEndpoints.Listed collecting = ReportsEndpoints.listed(open, now + 1, now, "r.example");
        assertThat(collecting.state()).isEqualTo("pending");
        assertThat(collecting.collecting()).isTrue();
        assertThat(collecting.reportId()).isNull();
        assertThat(collecting.rows()).isEqualTo(2);
        assertThat(collecting.messages()).isEqualTo(5);
        ReportsEndpoints.Listed waiting = ReportsEndpoints.listed(open, now, now, "r.example");
        assertThat(waiting.state()).isEqualTo("pending");
        assertThat(waiting.collecting()).isFalse();
        assertThat(waiting.reportId()).isEqualTo("0-example.com@r.example");
        assertThat(waiting.rows()).isEqualTo(2);
        assertThat(waiting.messages()).isEqualTo(5);
    }

    @Test
    void aWindowWithARecipientToRetryIsFailedWithTheEarliestRetryAndItsReason() {
        long now = 1_000_000;
        WindowListing failing = new WindowListing(
                "example.com",
                0,
                "pending",
                2L,
                5L,
                null,
                null,
                null,
                List.of(
                        sent("a@example.com"),
                        new WindowListing.Recipient("b@example.com", "failed", "451 later", 2, null, now + 900),
                        new WindowListing.Recipient("c@example.com", "failed", "421 busy", 1, null, now + 600)));
        ReportsEndpoints.Listed failed = ReportsEndpoints.listed(failing, now - 10, now, "r.example");
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.nextRetry()).isEqualTo(now + 600);
        assertThat(failed.reason()).isEqualTo("c@example.com: 421 busy");
        assertThat(failed.givenUp()).isFalse();
    }

    private static WindowListing reported(String outcome, WindowListing.Recipient... recipients) {
        return new WindowListing(
                "example.com", 0, "reported", null, null, "0-example.com@r.example", outcome, 1L, List.of(recipients));
    }

    @Test
    void aReportedWindowIsSentWhenARecipientGotItElseFailedForGoodWithAReason() {
        long now = 1_000_000;
        assertThat(ReportsEndpoints.listed(reported("reported", sent("a@example.com")), 86_400, now, "r.example")
                        .state())
                .isEqualTo("sent");

        ReportsEndpoints.Listed nobody = ReportsEndpoints.listed(
                reported("reported", new WindowListing.Recipient("a@example.com", "given-up", "550 no", 1, null, null)),
                86_400,
                now,
                "r.example");
        assertThat(nobody.state()).isEqualTo("failed");
        assertThat(nobody.givenUp()).isTrue();
        assertThat(nobody.nextRetry()).isNull();
        assertThat(nobody.reason()).isEqualTo("no recipient got it: a@example.com: 550 no");

        ReportsEndpoints.Listed skipped = ReportsEndpoints.listed(
                reported("reported: no recipient got it: mailto:x@other.example: not authorized"),
                86_400,
                now,
                "r.example");
        assertThat(skipped.state()).isEqualTo("failed");
        assertThat(skipped.givenUp()).isTrue();
        assertThat(skipped.reason()).isEqualTo("no recipient got it: mailto:x@other.example: not authorized");

        ReportsEndpoints.Listed notSent =
                ReportsEndpoints.listed(reported("not-sent: sendAggregateReports is false"), 86_400, now, "r.example");
        assertThat(notSent.state()).isEqualTo("failed");
        assertThat(notSent.givenUp()).isTrue();
        assertThat(notSent.reason()).isEqualTo("not-sent: sendAggregateReports is false");
        assertThat(notSent.outcome()).isEqualTo("not-sent: sendAggregateReports is false");
    }

    @Test
    void aFailedWindowAlwaysHasANextRetryMemberNullWhenGivenUpForGood() {
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(ReportsEndpoints.listed(reported("reported"), 86_400, 1_000_000, "r.example"));
        assertThat(json.get("state").asText()).isEqualTo("failed");
        assertThat(json.has("nextRetry")).isTrue();
        assertThat(json.get("nextRetry").isNull()).isTrue();
        assertThat(json.get("givenUp").asBoolean()).isTrue();
        assertThat(json.get("reason").asText()).isEqualTo("no recipient got it");
    }

    @Test
    void everyListedStateIsOneOfTheContracts() {
        long now = 1_000_000;
        List<WindowListing> all = List.of(
                new WindowListing("example.com", 0, "pending", 1L, 1L, null, null, null, List.of()),
                reported("reported"),
                reported("empty: the window has no rows"),
                reported("no-recipients: the DMARC record has no rua"),
                reported("reported", new WindowListing.Recipient("a@example.com", "given-up", "550", 1, null, null)));
        for (WindowListing w : all) {
            for (long end : new long[] {now - 1, now + 1}) {
                assertThat(ReportsEndpoints.listed(w, end, now, "r.example").state())
                        .isIn("pending", "sent", "failed");
            }
        }
    }
}
