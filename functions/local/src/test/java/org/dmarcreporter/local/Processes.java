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

/**
 * Starts {@code serve} and {@code send-now} as their own processes, the way users and scripts do.
 * Public for the process tests of the sub-packages.
 */
public final class Processes implements AutoCloseable {

    public static final Path EVENTS = Path.of(System.getProperty("dmarc.events.dir", "../../events"));
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    public static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<String> jvmOptions;
    private final List<Process> started = new ArrayList<>();

    public Processes(Path dir) {
        this(dir, List.of());
    }

    /** Processes whose JVMs get {@code jvmOptions} (such as {@code -Dname=value}) before the class. */
    public Processes(Path dir, List<String> jvmOptions) {
        this.dir = dir;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** A started serve and the port it printed. */
    public record Serve(Process process, int port, Path stderr) {
        public URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        public HttpResponse<String> post(String path, String body) throws Exception {
            return CLIENT.send(
                    HttpRequest.newBuilder(uri(path))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        public JsonNode get(String path) throws Exception {
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
        public int stop() throws InterruptedException {
            return stop(Duration.ofSeconds(30));
        }

        /** SIGTERM, then the exit status, which must come {@code within} the given time. */
        public int stop(Duration within) throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS))
                    .as("stopped within %s", within)
                    .isTrue();
            return process.exitValue();
        }

        /** SIGKILL ({@code kill -9}), then the exit status. */
        public int kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();
            return process.exitValue();
        }
    }

    /** What a finished command printed. */
    public record Finished(int exit, String stdout, String stderr) {
        public JsonNode json() throws IOException {
            return JSON.readTree(stdout);
        }
    }

    private List<String> java(String... args) {
        // surefire keeps the real class path there when java.class.path is its booter jar
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code serve --port 0} with the given options. */
    public Serve serve(String... options) throws Exception {
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
    public Finished run(String... args) throws Exception {
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
