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
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> { });
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

        assertThat(out()).contains("serve [options]", "--port N", "--data-dir DIR", "--outbox DIR",
                "--smtp HOST:PORT", "--zone-file FILE", "--config FILE");
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

        assertThat(run("serve", "--port", "0", "--config", config.toString(), "--zone-file",
                dir.resolve("nope.zone").toString())).isEqualTo(2);

        assertThat(err()).contains("nope.zone").contains("does not exist");
    }

    @Test
    void aBrokenZoneFileIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");
        Path zone = Files.writeString(dir.resolve("bad.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1\"\nbroken IN BOGUS x\n");

        assertThat(run("serve", "--port", "0", "--config", config.toString(), "--zone-file", zone.toString()))
                .isEqualTo(2);

        assertThat(err()).contains("bad.zone").contains("line 3");
    }

    @Test
    void aDataFolderInUseByAnotherRuntimeIsRefusedWithExitOne(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "orgName: example.org\ncontactEmail: a@example.org\n");
        Path zone = Files.writeString(dir.resolve("z.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n");
        CommandLine.Serve options = (CommandLine.Serve) CommandLine.parse("serve", "--port", "0", "--data-dir",
                dir.resolve("data").toString(), "--config", config.toString(), "--zone-file", zone.toString());
        LocalRuntime first = LocalRuntime.start(options);
        try {
            assertThat(run("serve", "--port", "0", "--data-dir", dir.resolve("data").toString(),
                    "--config", config.toString(), "--zone-file", zone.toString())).isEqualTo(1);
        } finally {
            first.stop();
        }

        assertThat(err()).contains("in use by another dmarc-local process");
    }

    @Test
    void serveStartsPrintsTheListeningLineAndStopsWhenAsked(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"orgName\": \"example.org\", \"contactEmail\": \"a@example.org\"}");
        Path zone = Files.writeString(dir.resolve("z.zone"), "$ORIGIN example.org.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n");

        int status = run("serve", "--port", "0", "--data-dir", dir.resolve("data").toString(),
                "--config", config.toString(), "--zone-file", zone.toString(), "--outbox", dir.resolve("outbox").toString());

        assertThat(status).isZero();
        assertThat(out()).matches("listening on http://127\\.0\\.0\\.1:\\d+\\R");
        assertThat(dir.resolve("data").resolve("dmarc.sqlite")).exists();
        assertThat(dir.resolve("outbox")).isDirectory();
    }
}
