package io.github.vectorlm.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Local copies of models that live on a Hadoop filesystem ({@code hdfs://…}, {@code s3a://…},
 * {@code abfs://…}, {@code file:…}): a model must be on local disk to be memory-mapped. A copy is
 * made once and reused by every JVM of the machine while the source is unchanged: its folder is
 * named by a hash of the URI and of every source file's path, length and modification time, and
 * it appears under that name only when complete (copied beside it, then moved into place).
 */
final class ModelCopies {
    /** A URI scheme of two or more characters (so that {@code C:\models} is a path). */
    private static final Pattern URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

    private ModelCopies() {
    }

    /** Whether {@code path} is a URI for Hadoop's filesystems rather than a local path. */
    static boolean isUri(String path) {
        return URI.matcher(path).matches();
    }

    /**
     * The local copy of the model file or folder at {@code uri}, made under {@code cacheRoot} if it
     * is not there yet.
     *
     * @return the copy: a folder, or a file in a folder of its own
     * @throws IOException if the source does not exist or cannot be copied (the message names it)
     */
    static Path localCopy(String uri, Configuration conf, Path cacheRoot) throws IOException {
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = source.getFileSystem(conf);
        if (!fs.exists(source)) {
            throw new java.nio.file.NoSuchFileException(uri, null, "no such model");
        }
        FileStatus root = fs.getFileStatus(source);
        List<LocatedFileStatus> files = new ArrayList<>();
        if (root.isDirectory()) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(source, true);
            while (it.hasNext()) {
                files.add(it.next());
            }
        } else {
            files.add(new LocatedFileStatus(root, null));
        }
        files.sort(Comparator.comparing(f -> f.getPath().toString()));
        String name = source.getName().isEmpty() ? "model" : source.getName();
        Path target = cacheRoot.resolve(name + "-" + fingerprint(uri, files));
        if (Files.isDirectory(target)) {
            return root.isDirectory() ? target : target.resolve(name);
        }
        Files.createDirectories(cacheRoot);
        Path partial = Files.createTempDirectory(cacheRoot, name + ".partial-");
        try {
            String prefix = fs.makeQualified(root.getPath()).toUri().getPath();
            for (LocatedFileStatus f : files) {
                String relative = root.isDirectory()
                        ? f.getPath().toUri().getPath().substring(prefix.length()).replaceFirst("^/", "")
                        : name;
                Path out = partial.resolve(relative).normalize();
                if (!out.startsWith(partial)) {
                    throw new IOException(uri + ": the file " + f.getPath() + " lies outside the model folder");
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = fs.open(f.getPath())) {
                    Files.copy(in, out);
                }
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                deleteTree(partial); // another JVM of this machine finished the same copy first
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move the copy of " + uri + " into " + target, e);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
        return root.isDirectory() ? target : target.resolve(name);
    }

    private static String fingerprint(String uri, List<LocatedFileStatus> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(uri.getBytes(StandardCharsets.UTF_8));
            for (FileStatus f : files) {
                sha.update((f.getPath() + "\0" + f.getLen() + "\0" + f.getModificationTime() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
