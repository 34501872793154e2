package org.dmarcreporter.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeFileTest {

    @TempDir
    Path dir;

    private static long exitedPid() throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aLiveServeIsFoundAndALeftoverOfAKilledOneIsNot() throws Exception {
        ServeFile ours = new ServeFile(ProcessHandle.current().pid(), 8080, "/tmp/outbox", null);
        ours.write(dir);
        assertThat(Files.readString(dir.resolve(ServeFile.NAME)))
                .isEqualTo("{\"pid\":" + ProcessHandle.current().pid() + ",\"port\":8080,\"outbox\":\"/tmp/outbox\"}");
        assertThat(ServeFile.running(dir)).hasValue(ours);

        new ServeFile(exitedPid(), 8080, null, "relay:25").write(dir);
        assertThat(ServeFile.running(dir)).isEmpty();

        Files.writeString(dir.resolve(ServeFile.NAME), "not json");
        assertThat(ServeFile.running(dir)).isEmpty();
    }

    @Test
    void aServeRemovesOnlyItsOwnFile() throws Exception {
        new ServeFile(exitedPid(), 1, null, null).write(dir);
        ServeFile.remove(dir);
        assertThat(dir.resolve(ServeFile.NAME)).exists();

        new ServeFile(ProcessHandle.current().pid(), 1, null, null).write(dir);
        ServeFile.remove(dir);
        assertThat(dir.resolve(ServeFile.NAME)).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty(); // no temporary files left either
        }
    }
}
