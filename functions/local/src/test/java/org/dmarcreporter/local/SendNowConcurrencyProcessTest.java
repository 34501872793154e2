package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results that arrive while send-now runs are each counted in exactly one report. */
class SendNowConcurrencyProcessTest {

    @TempDir
    Path dir;

    private static String batch(String prefix, int size) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"messageId\":\"<")
                    .append(prefix)
                    .append('-')
                    .append(i)
                    .append("@mail.example.com>\",\"sourceIp\":\"192.0.2.")
                    .append(i % 16 + 1)
                    .append("\",\"envelopeFrom\":\"bounce@example.com\",\"headerFrom\":\"news@example.com\",")
                    .append("\"spf\":{\"result\":\"pass\",\"domain\":\"example.com\"},")
                    .append("\"dkim\":[{\"result\":\"pass\",\"domain\":\"example.com\",\"selector\":\"s1\"}]}");
        }
        return b.append(']').toString();
    }

    @Test
    void aResultIngestedDuringSendNowIsCountedInExactlyOneReport() throws Exception {
        Path data = dir.resolve("data");
        Path outbox = dir.resolve("outbox");
        try (Processes processes = new Processes(dir)) {
            Processes.Serve serve = processes.serve(
                    "--data-dir",
                    data.toString(),
                    "--zone-file",
                    Processes.EVENTS.resolve("local-zone.zone").toString(),
                    "--config",
                    Processes.EVENTS.resolve("local-config.yaml").toString(),
                    "--outbox",
                    outbox.toString());
            AtomicBoolean keepSending = new AtomicBoolean(true);
            AtomicLong acknowledged = new AtomicLong();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                int sender = s;
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int b = 0; keepSending.get(); b++) {
                        try {
                            if (serve.post("/v1/results", batch("s" + sender + "-b" + b, 20))
                                            .statusCode()
                                    == 200) {
                                acknowledged.addAndGet(20);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }));
            }
            List<JsonNode> summaries = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                while (acknowledged.get() < 200L * (run + 1)) {
                    Thread.sleep(5);
                }
                Processes.Finished done = processes.run("send-now", "--data-dir", data.toString());
                assertThat(done.exit()).as(done.stderr()).isZero();
                summaries.add(done.json());
            }
            keepSending.set(false);
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
            Processes.Finished last = processes.run("send-now", "--data-dir", data.toString());
            assertThat(last.exit()).as(last.stderr()).isZero();
            summaries.add(last.json());

            long reported = 0;
            Set<String> reportIds = new HashSet<>();
            for (JsonNode summary : summaries) {
                for (JsonNode r : summary.get("reports")) {
                    assertThat(r.get("status").asText()).isEqualTo("reported");
                    reported += r.get("messages").asLong();
                    assertThat(reportIds.add(r.get("reportId").asText())).isTrue();
                }
            }
            assertThat(reported).isEqualTo(acknowledged.get());
            // And the messages hold the same counts as the summaries.
            long inMail = 0;
            try (Stream<Path> files = Files.list(outbox)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".eml")
                                && !p.getFileName().toString().contains(".ruf@"))
                        .toList()) {
                    inMail += ReportMail.read(f).messages();
                }
            }
            assertThat(inMail).isEqualTo(acknowledged.get());
            assertThat(reportIds.size()).isGreaterThanOrEqualTo(3);
            assertThat(serve.stop()).isZero();
        }
    }
}
