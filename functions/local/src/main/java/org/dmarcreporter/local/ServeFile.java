package org.dmarcreporter.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code serve.json} in the data folder: how a {@code send-now} command finds the {@code serve}
 * that holds the folder's lock ({@code docs/command-line.md}). Written once {@code serve} listens, removed when it
 * stops cleanly; a file left by a killed process is recognised by its process id.
 *
 * @param pid    the serve process
 * @param port   its HTTP port on 127.0.0.1
 * @param outbox its {@code --outbox} folder (absolute), or null
 * @param smtp   its {@code --smtp} relay, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ServeFile(long pid, int port, String outbox, String smtp) {

    static final String NAME = "serve.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the file whole (temporary file, then rename). */
    void write(Path dataDir) throws IOException {
        Path temp = Files.createTempFile(dataDir, ".serve-", ".part");
        try {
            Files.write(temp, JSON.writeValueAsBytes(this));
            Files.move(
                    temp, dataDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file of a serve process that is still alive, if any. */
    static Optional<ServeFile> running(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ServeFile f = JSON.readValue(file.toFile(), ServeFile.class);
            boolean alive =
                    ProcessHandle.of(f.pid()).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(f) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: treated as absent; the folder lock still guards the store
        }
    }

    /** Removes the file if it is this process's. */
    static void remove(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        try {
            ServeFile f = JSON.readValue(file.toFile(), ServeFile.class);
            if (f.pid() == ProcessHandle.current().pid()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // gone already, or not ours to remove
        }
    }
}
