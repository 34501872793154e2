package org.dmarcreporter.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dmarcreporter.aggregate.AggregateEvent.InvalidEvent;
import org.dmarcreporter.aggregate.AggregateEvent.Midnight;
import org.dmarcreporter.aggregate.AggregateEvent.SendNow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AggregateEventTest {

    static AggregateEvent parse(String json) throws InvalidEvent {
        return AggregateEvent.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSampleEventsOfTheRepositoryParse() throws Exception {
        Path events = Path.of("../../events");
        assertThat(AggregateEvent.parse(Files.readAllBytes(events.resolve("midnight.json"))))
                .isEqualTo(new Midnight());
        assertThat(AggregateEvent.parse(Files.readAllBytes(events.resolve("send-now.json"))))
                .isEqualTo(new SendNow(null, false));
        assertThat(AggregateEvent.parse(Files.readAllBytes(events.resolve("send-now-domain-dry-run.json"))))
                .isEqualTo(new SendNow("example.com", true));
    }

    @Test
    void sendNowTakesAnOptionalDomainNormalisedAndAnOptionalDryRun() throws Exception {
        assertThat(parse("{\"action\": \"send-now\"}")).isEqualTo(new SendNow(null, false));
        assertThat(parse("{\"action\": \"send-now\", \"domain\": \"Example.COM.\"}"))
                .isEqualTo(new SendNow("example.com", false));
        assertThat(parse("{\"action\": \"send-now\", \"domain\": null, \"dryRun\": true}"))
                .isEqualTo(new SendNow(null, true));
        assertThat(parse("{\"action\": \"midnight\"}")).isEqualTo(new Midnight());
    }

    @Test
    void theScheduledEventIsTheMidnightRunWhateverItsTime() throws Exception {
        assertThat(
                        parse(
                                "{\"source\": \"aws.events\", \"detail-type\": \"Scheduled Event\", \"time\": \"2026-12-02T00:00:07Z\", \"detail\": {}}"))
                .isEqualTo(new Midnight());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json                                                   | body",
                "[1, 2]                                                     | body",
                "{}                                                         | action",
                "{\"source\": \"aws.events\", \"detail-type\": \"Other\"}   | action",
                "{\"action\": 1}                                            | action",
                "{\"action\": \"send-later\"}                               | action",
                "{\"action\": \"send-now\", \"domian\": \"example.com\"}    | domian",
                "{\"action\": \"send-now\", \"domain\": \"a b\"}            | domain",
                "{\"action\": \"send-now\", \"domain\": 7}                  | domain",
                "{\"action\": \"send-now\", \"dryRun\": \"yes\"}            | dryRun",
                "{\"action\": \"midnight\", \"domain\": \"example.com\"}    | domain",
                "{\"action\": \"midnight\", \"dryRun\": true}               | dryRun"
            })
    void aBadEventNamesTheField(String json, String field) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(
                        InvalidEvent.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageNotContaining("\n");
    }

    @Test
    void echoedTextIsCutAndPrintable() {
        assertThatThrownBy(() -> parse("{\"action\": \"" + "x\\u0007".repeat(100) + "\"}"))
                .isInstanceOf(InvalidEvent.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\u0007");
                    assertThat(e.getMessage().length()).isLessThan(200);
                });
    }
}
