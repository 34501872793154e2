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
    void aWindowsStateSaysWhetherItCollectsWaitsFailedOrWasSent() {
        long now = 1_000_000;
        WindowListing open = new WindowListing("example.com", 0, "pending", 2L, 5L, null, null, null, List.of());
        assertThat(ReportsEndpoints.listed(open, now + 1, now, "r.example").state())
                .isEqualTo("open");
        assertThat(ReportsEndpoints.listed(open, now + 1, now, "r.example").reportId())
                .isNull();
        ReportsEndpoints.Listed waiting = ReportsEndpoints.listed(open, now, now, "r.example");
        assertThat(waiting.state()).isEqualTo("pending");
        assertThat(waiting.reportId()).isEqualTo("0-example.com@r.example");
        assertThat(waiting.rows()).isEqualTo(2);
        assertThat(waiting.messages()).isEqualTo(5);

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

        WindowListing reported = new WindowListing(
                "example.com",
                0,
                "reported",
                null,
                null,
                "0-example.com@r.example",
                "reported",
                now,
                List.of(sent("a@example.com")));
        assertThat(ReportsEndpoints.listed(reported, 86_400, now, "r.example").state())
                .isEqualTo("sent");
        WindowListing gaveUp = new WindowListing(
                "example.com",
                0,
                "reported",
                null,
                null,
                "id",
                "reported",
                now,
                List.of(new WindowListing.Recipient("a@example.com", "given-up", "550", 1, null, null)));
        assertThat(ReportsEndpoints.listed(gaveUp, 86_400, now, "r.example").state())
                .isEqualTo("given-up");
        WindowListing notSent = new WindowListing(
                "example.com",
                0,
                "reported",
                null,
                null,
                "id",
                "not-sent: sendAggregateReports is false",
                now,
                List.of());
        assertThat(ReportsEndpoints.listed(notSent, 86_400, now, "r.example").state())
                .isEqualTo("not-sent");
    }
}
