package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> {});
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheCommandAndEveryOptionAndExitsZero() {
        assertThat(run("--help")).isZero();

        assertThat(out())
                .contains(
                        "serve [options]",
                        "--port N",
                        "--data-dir DIR",
                        "--outbox DIR",
                        "--smtp HOST:PORT",
                        "--zone-file FILE",
                        "--config FILE");
        assertThat(err()).isEmpty();
    }

    @Test
    void anUnknownOptionExitsTwoWithAMessageOnStderr() {
        assertThat(run("serve", "--prot", "8080")).isEqualTo(2);

        assertThat(err()).contains("unknown option --prot").contains("--help");
        assertThat(out()).isEmpty();
    }

    @Test
    void noArgumentsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("no command given");
    }

    @Test
    void serveWithoutConfigSaysWhichFileToPass() {
        assertThat(run("serve", "--port", "0")).isEqualTo(2);

        assertThat(err()).contains("--config", "orgName", "contactEmail", "events/local-config.yaml");
        assertThat(out()).doesNotContain("listening");
    }

    @Test
    void aConfigWithoutOrgNameIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "contactEmail: a@example.org\n");

        assertThat(run("serve", "--port", "0", "--config", config.toString())).isEqualTo(2);

        assertThat(err()).contains("orgName");
    }

    @Test
    void aMissingZoneFileIsRefused(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");

        assertThat(run(
                        "serve",
                        "--port",
                        "0",
                        "--config",
                        config.toString(),
                        "--zone-file",
                        dir.resolve("nope.zone").toString()))
                .isEqualTo(2);

        assertThat(err()).contains("nope.zone").contains("does not exist");
    }

    @Test
    void aBrokenZoneFileIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");
        Path zone = Files.writeString(
                dir.resolve("bad.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1\"\nbroken IN BOGUS x\n");

        assertThat(run("serve", "--port", "0", "--config", config.toString(), "--zone-file", zone.toString()))
                .isEqualTo(2);

        assertThat(err()).contains("bad.zone").contains("line 3");
    }

    @Test
    void aDataFolderInUseByAnotherRuntimeIsRefusedWithExitOne(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");
        Path zone =
                Files.writeString(dir.resolve("z.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n");
        CommandLine.Serve options = (CommandLine.Serve) CommandLine.parse(
                "serve",
                "--port",
                "0",
                "--data-dir",
                dir.resolve("data").toString(),
                "--config",
                config.toString(),
                "--zone-file",
                zone.toString());
        LocalRuntime first = LocalRuntime.start(options);
        try {
            assertThat(run(
                            "serve",
                            "--port",
                            "0",
                            "--data-dir",
                            dir.resolve("data").toString(),
                            "--config",
                            config.toString(),
                            "--zone-file",
                            zone.toString()))
                    .isEqualTo(1);
        } finally {
            first.stop();
        }

        assertThat(err()).contains("in use by another dmarc-local process");
    }

    @Test
    void serveStartsPrintsTheListeningLineAndStopsWhenAsked(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(
                dir.resolve("c.json"), "{\"orgName\": \"example.org\", \"contactEmail\": \"a@example.org\"}");
        Path zone =
                Files.writeString(dir.resolve("z.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n");

        int status = run(
                "serve",
                "--port",
                "0",
                "--data-dir",
                dir.resolve("data").toString(),
                "--config",
                config.toString(),
                "--zone-file",
                zone.toString(),
                "--outbox",
                dir.resolve("outbox").toString());

        assertThat(status).isZero();
        assertThat(out()).matches("listening on http://127\\.0\\.0\\.1:\\d+\\R");
        assertThat(dir.resolve("data").resolve("dmarc.sqlite")).exists();
        assertThat(dir.resolve("outbox")).isDirectory();
    }

    private Path config(Path dir) throws Exception {
        return Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");
    }

    private Path zone(Path dir) throws Exception {
        return Files.writeString(dir.resolve("z.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n");
    }

    /** One line on stderr: the message and nothing else (no parser dump, no stack trace). */
    private void assertOneLine(String... parts) {
        assertThat(err()).endsWith("\n");
        assertThat(err().strip())
                .doesNotContain("\n")
                .startsWith("dmarc-local: ")
                .contains(parts);
        assertThat(err()).doesNotContain("Exception");
        assertThat(out()).isEmpty();
    }

    @Test
    void versionPrintsTheProjectVersionAndExitsZero() {
        assertThat(run("--version")).isZero();

        assertThat(out()).matches("dmarc-local \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
        assertThat(err()).isEmpty();
    }

    @Test
    void aYamlSyntaxErrorIsOneLineNamingTheFileAndLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(
                dir.resolve("bad.yaml"), "orgName: example.org\ncontactEmail: [a@example.org\nreportFormat: rfc9990\n");

        assertThat(run("serve", "--port", "0", "--config", config.toString())).isEqualTo(2);

        assertOneLine("bad.yaml", "not valid YAML", "line 3", "expected ',' or ']'");
    }

    @Test
    void aJsonSyntaxErrorIsOneLineNamingTheFileAndLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("bad.json"), "{\"orgName\": \"example.org\",\n}\n");

        assertThat(run("serve", "--port", "0", "--config", config.toString())).isEqualTo(2);

        assertOneLine("bad.json", "not valid JSON", "line 2");
    }

    @Test
    void aConfigNamingAFolderSaysSo(@TempDir Path dir) throws Exception {
        assertThat(run("serve", "--port", "0", "--config", dir.toString())).isEqualTo(2);

        assertOneLine("is a folder, not a file");
    }

    @Test
    void aZoneFileNamingAFolderSaysSo(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("zones"));

        assertThat(run("serve", "--port", "0", "--config", config(dir).toString(), "--zone-file", folder.toString()))
                .isEqualTo(2);

        assertOneLine("--zone-file", "zones", "is a folder, not a file");
    }

    @Test
    void aDataDirNamingAFileSaysSo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "x");

        assertThat(run(
                        "serve",
                        "--port",
                        "0",
                        "--config",
                        config(dir).toString(),
                        "--zone-file",
                        zone(dir).toString(),
                        "--data-dir",
                        file.toString()))
                .isEqualTo(2);

        assertOneLine("--data-dir", "data.txt", "is a file, not a folder");
    }

    @Test
    void anOutboxThatCannotBeCreatedSaysWhy(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");

        assertThat(run(
                        "serve",
                        "--port",
                        "0",
                        "--config",
                        config(dir).toString(),
                        "--zone-file",
                        zone(dir).toString(),
                        "--outbox",
                        file.resolve("outbox").toString()))
                .isEqualTo(2);

        assertOneLine("--outbox", "cannot be created", "plain-file is a file, not a folder");
    }

    @Test
    void anOutboxNamingAFileSaysSo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("outbox.txt"), "x");

        assertThat(run(
                        "serve",
                        "--port",
                        "0",
                        "--config",
                        config(dir).toString(),
                        "--zone-file",
                        zone(dir).toString(),
                        "--outbox",
                        file.toString()))
                .isEqualTo(2);

        assertOneLine("--outbox", "outbox.txt", "is a file, not a folder");
    }
}
