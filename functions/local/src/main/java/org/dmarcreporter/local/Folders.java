package org.dmarcreporter.local;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.dmarcreporter.local.CommandLine.UsageException;

/**
 * Folders and files named on the command line, checked before use so that the message says what
 * is wrong in words ("is a file, not a folder", "permission denied") rather than with a Java
 * exception's name.
 */
final class Folders {

    private Folders() {}

    /** Creates {@code dir} (and its parents) if needed and checks that we may write in it. */
    static void prepare(String option, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException(option + " " + dir + " is a file, not a folder");
        }
        for (Path parent = dir.toAbsolutePath().getParent(); parent != null; parent = parent.getParent()) {
            if (Files.exists(parent) && !Files.isDirectory(parent)) {
                throw new UsageException(
                        option + " " + dir + " cannot be created: " + parent + " is a file, not a folder");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException(option + " " + dir + " cannot be created: " + why(e));
        }
        if (!Files.isWritable(dir)) {
            throw new UsageException(option + " " + dir + " is not writable (permission denied)");
        }
    }

    /** Checks that {@code file} is a file we can read. */
    static void checkReadable(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + " is a folder, not a file");
        }
        if (!Files.exists(file)) {
            throw new UsageException(option + " " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw new UsageException(option + " " + file + " cannot be read (permission denied)");
        }
    }

    /** Why a file operation failed, in words (a FileSystemException's message is only the path). */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied" + on(a);
        }
        if (e instanceof FileAlreadyExistsException a) {
            return "a file is in the way" + on(a);
        }
        if (e instanceof NotDirectoryException a) {
            return "not a folder" + on(a);
        }
        if (e instanceof NoSuchFileException a) {
            return "no such folder" + on(a);
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT) + on(f);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String on(FileSystemException e) {
        return e.getFile() == null ? "" : " (" + e.getFile() + ")";
    }
}
