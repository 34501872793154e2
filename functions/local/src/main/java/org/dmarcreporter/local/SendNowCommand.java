package org.dmarcreporter.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.report.run.RunSummary;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.local.CommandLine.SendNow;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.http.ReportsEndpoints;

/**
 * {@code send-now} ({@code docs/command-line.md}, {@code docs/send-now.md}): asks the {@code serve}
 * running on the data folder over HTTP when there is one (it holds the folder's lock), else opens
 * the store itself, runs, and closes it. Prints the summary JSON on stdout.
 */
final class SendNowCommand {

    /** Exit status when the run was done but a report could not be sent to a recipient (or a window failed). */
    static final int SOME_FAILED = 3;

    /** How long the command waits for a running serve's answer: a run over many domains takes a while. */
    static final Duration ANSWER_TIMEOUT = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private SendNowCommand() {}

    static int run(SendNow command, PrintStream out, PrintStream err, Clock clock, Map<String, String> environment) {
        Serve options = command.options();
        Optional<ServeFile> serve = ServeFile.running(options.dataDir());
        try {
            if (serve.isPresent()) {
                return remote(command, serve.get(), out, err);
            }
            return local(command, out, clock, environment);
        } catch (UsageException e) {
            err.println("dmarc-local: " + e.getMessage());
            return Main.USAGE;
        } catch (StoreUnavailableException e) {
            err.println("dmarc-local: " + e.getMessage()
                    + (ServeFile.running(options.dataDir()).isPresent() ? "" : " (if a serve is starting, try again)"));
            return Main.FAILED;
        } catch (IOException | RuntimeException e) {
            err.println("dmarc-local: send-now failed: " + e.getMessage());
            return Main.FAILED;
        }
    }

    /** No serve running: this process opens the store, runs and closes it. */
    private static int local(SendNow command, PrintStream out, Clock clock, Map<String, String> environment)
            throws IOException {
        Serve options = command.options();
        if (command.dryRun() != null) {
            Folders.prepare("--dry-run", command.dryRun());
        }
        try (LocalRuntime.Base base = LocalRuntime.Base.open(options, clock, environment)) {
            // without a transport only when nothing is to be sent (sendAggregateReports false)
            if (command.dryRun() == null && !base.reports.canRun()) {
                throw new UsageException("send-now needs --outbox DIR or --smtp HOST:PORT to send the reports"
                        + " (or --dry-run DIR to only write them); no serve is running on " + options.dataDir());
            }
            RunSummary summary = base.reports.sendNow(command.domain(), command.dryRun());
            return print(summary.toJson(), summary.anyFailed(), out);
        }
    }

    /** A serve holds the folder: ask it. */
    private static int remote(SendNow command, ServeFile serve, PrintStream out, PrintStream err) throws IOException {
        Serve options = command.options();
        Path outbox = MailSetup.outboxOf(options);
        if (outbox != null && !outbox.toString().equals(serve.outbox())
                || options.smtp() != null
                        && !(options.smtp().host() + ":" + options.smtp().port()).equals(serve.smtp())) {
            throw new UsageException("the serve running on " + options.dataDir() + " (pid " + serve.pid()
                    + ") sends with its own " + describe(serve) + " and send-now asks it: leave out "
                    + (outbox != null ? "--outbox" : "--smtp") + " or give the same one");
        }
        ObjectNode body = JSON.createObjectNode();
        if (command.domain() != null) {
            body.put("domain", command.domain());
        }
        if (command.dryRun() != null) {
            Folders.prepare("--dry-run", command.dryRun());
            body.put("dryRun", command.dryRun().toAbsolutePath().normalize().toString());
        }
        URI uri = URI.create("http://127.0.0.1:" + serve.port() + ReportsEndpoints.SEND_NOW_PATH);
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(ANSWER_TIMEOUT)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            err.println("dmarc-local: the serve running on " + options.dataDir() + " (pid " + serve.pid()
                    + ") does not answer on 127.0.0.1:" + serve.port());
            return Main.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() == 200) {
            JsonNode totals = JSON.readTree(response.body()).path("totals");
            // as RunSummary.anyFailed: a recipient given up in this run is a failed report too
            boolean failed = totals.path("errors").asInt() > 0
                    || totals.path("failed").asInt() > 0
                    || totals.path("givenUp").asInt() > 0;
            return print(response.body(), failed, out);
        }
        String detail = JSON.readTree(response.body()).path("detail").asText("");
        err.println("dmarc-local: the serve running on " + options.dataDir() + " answered " + response.statusCode()
                + (detail.isEmpty() ? "" : ": " + detail.replaceAll("\\s+", " ")));
        return response.statusCode() == 400 ? Main.USAGE : Main.FAILED;
    }

    private static String describe(ServeFile serve) {
        return serve.outbox() != null
                ? "--outbox " + serve.outbox()
                : serve.smtp() != null ? "--smtp " + serve.smtp() : "mail settings (none)";
    }

    private static int print(byte[] json, boolean failed, PrintStream out) {
        out.println(new String(json, StandardCharsets.UTF_8));
        out.flush();
        return failed ? SOME_FAILED : Main.OK;
    }
}
