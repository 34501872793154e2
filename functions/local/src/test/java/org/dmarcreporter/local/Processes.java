package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts {@code serve} and {@code send-now} as their own processes, the way users and scripts do. */
final class Processes implements AutoCloseable {

    static final Path EVENTS = Path.of(System.getProperty("dmarc.events.dir", "../../events"));
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    Processes(Path dir) {
        this.dir = dir;
    }

    /** A started serve and the port it printed. */
    record Serve(Process process, int port, Path stderr) {
        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        HttpResponse<String> post(String path, String body) throws Exception {
            return CLIENT.send(
                    HttpRequest.newBuilder(uri(path))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        JsonNode get(String path) throws Exception {
            HttpResponse<String> r = CLIENT.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        /** SIGTERM, then the exit status. */
        int stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within 30 s")
                    .isTrue();
            return process.exitValue();
        }
    }

    /** What a finished command printed. */
    record Finished(int exit, String stdout, String stderr) {
        JsonNode json() throws IOException {
            return JSON.readTree(stdout);
        }
    }

    private List<String> java(String... args) {
        // surefire keeps the real class path there when java.class.path is its booter jar
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code serve --port 0} with the given options. */
    Serve serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0"));
        args.addAll(List.of(options));
        Path stderr = Files.createTempFile(dir, "serve-", ".txt");
        Process process = new ProcessBuilder(java(args.toArray(String[]::new)))
                .redirectError(stderr.toFile())
                .start();
        started.add(process);
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(60, TimeUnit.SECONDS);
        assertThat(line)
                .as("first stdout line; stderr: %s", Files.readString(stderr))
                .isNotNull();
        Matcher m = LISTENING.matcher(line);
        assertThat(m.matches()).as("'%s' is the listening line", line).isTrue();
        return new Serve(process, Integer.parseInt(m.group(1)), stderr);
    }

    /** Runs a command to its end. */
    Finished run(String... args) throws Exception {
        Path stdout = Files.createTempFile(dir, "out-", ".txt");
        Path stderr = Files.createTempFile(dir, "err-", ".txt");
        Process process = new ProcessBuilder(java(args))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        started.add(process);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
        return new Finished(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
