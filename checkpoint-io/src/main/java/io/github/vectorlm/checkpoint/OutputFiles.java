package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files and folders written under a temporary name beside their final one and moved into place
 * when complete, so that a reader never sees half an output and a failed write leaves none.
 */
public final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * An empty file beside {@code out} under a hidden name of its own ({@code .NAME.*.tmp}). It is
     * created the way any new file is (not with {@link Files#createTempFile}'s owner-only
     * permissions), so the finished file gets the permissions the user's umask gives.
     *
     * @param out the final file
     * @return the temporary file, created empty
     * @throws NoSuchFileException naming {@code out} if its folder does not exist
     */
    public static Path temporaryFile(Path out) throws IOException {
        return createBeside(out, false);
    }

    /**
     * An empty folder beside {@code out} under a hidden name of its own ({@code .NAME.*.tmp}).
     *
     * @param out the final folder
     * @return the temporary folder, created empty
     * @throws NoSuchFileException naming {@code out} if its parent folder does not exist
     */
    public static Path temporaryFolder(Path out) throws IOException {
        return createBeside(out, true);
    }

    /** A new file or folder beside {@code out} named {@code .NAME.<random>.tmp}, drawing again on a clash. */
    private static Path createBeside(Path out, boolean directory) throws IOException {
        Path absolute = out.toAbsolutePath();
        Path folder = checkedFolder(out, absolute);
        String prefix = "." + absolute.getFileName() + ".";
        while (true) {
            Path temp = folder.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return directory ? Files.createDirectory(temp) : Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                // another writer's name: draw again
            }
        }
    }

    /**
     * Moves a finished temporary file or folder to {@code out}, atomically where the file system
     * can. An existing file at {@code out} is replaced; when {@code temp} is a folder, an existing
     * folder at {@code out} is removed first (its files: one holding a folder is refused).
     *
     * @param temp what {@link #temporaryFile} or {@link #temporaryFolder} gave
     * @param out the final name
     */
    public static void moveIntoPlace(Path temp, Path out) throws IOException {
        Path absolute = out.toAbsolutePath();
        if (Files.isDirectory(temp) && Files.isDirectory(absolute)) {
            deleteFolder(absolute);
        }
        try {
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Removes a folder of files (and the folder), as left by a failed write; nothing if absent.
     *
     * @param folder the folder
     */
    public static void deleteFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.deleteIfExists(folder);
            return;
        }
        try (var entries = Files.list(folder)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isDirectory(p)) {
                    throw new IOException("will not remove " + folder + ": it holds a folder, " + p.getFileName());
                }
                Files.delete(p);
            }
        }
        Files.delete(folder);
    }

    private static Path checkedFolder(Path out, Path absolute) throws NoSuchFileException {
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new NoSuchFileException(out.toString(), null, folder != null && Files.exists(folder)
                    ? "not a folder: " + folder : "the folder " + folder + " does not exist");
        }
        return folder;
    }
}
