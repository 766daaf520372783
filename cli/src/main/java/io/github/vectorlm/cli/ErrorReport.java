package io.github.vectorlm.cli;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.generation.TokenizerFileException;
import io.github.vectorlm.generation.UnrecognizedModelException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns an exception into what the user reads: {@code vectorlm: <message>} on one line, then a
 * hint line where one helps. The stack trace is printed only with {@code --verbose}.
 */
final class ErrorReport {
    private static final int JOINED_LINES = 3;
    private static final String VERBOSE_HINT = "run again with --verbose for the details";

    private final String message;
    private final String hint;

    private ErrorReport(String message, String hint) {
        this.message = message;
        this.hint = hint;
    }

    /** The report of {@code error}. */
    static ErrorReport of(Throwable error) {
        Throwable e = error;
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        return switch (e) {
            case CliException c -> new ErrorReport(c.getMessage(), c.hint());
            case UnrecognizedModelException u -> new ErrorReport(firstLine(u.getMessage()),
                    "--model takes a model folder (Hugging Face, OpenAI TensorFlow, NeoX slim weights) or a nanoGPT ckpt.pt; "
                            + VERBOSE_HINT + " (the loaders asked and what the folder holds)");
            case TokenizerFileException t -> new ErrorReport(firstLine(t.getMessage()), null);
            case CheckpointException c -> new ErrorReport(oneLine(c.getMessage()), null);
            case NoSuchFileException n -> new ErrorReport(
                    "no such file or folder: " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")"),
                    n.getFile() == null ? null : MissingModelHint.forMissing(n.getFile()));
            case AccessDeniedException a -> new ErrorReport("permission denied: " + a.getFile(), null);
            case FileAlreadyExistsException f -> new ErrorReport("already exists: " + f.getFile(), f.getReason());
            case NotDirectoryException n -> new ErrorReport("not a folder: " + n.getFile(), null);
            case HttpDownloader.DownloadException d -> new ErrorReport(oneLine(d.getMessage()), d.hint());
            case ConnectException c -> new ErrorReport("cannot connect: " + messageOf(c),
                    "check the network, or give another --base-url");
            case HttpTimeoutException t -> new ErrorReport("the server did not answer in time: " + messageOf(t),
                    "run the command again: finished files are kept and a partial one resumes");
            case IOException io -> new ErrorReport(oneLine(messageOf(io)), null);
            case IllegalArgumentException x -> new ErrorReport(firstLine(messageOf(x)), null);
            case IllegalStateException x -> new ErrorReport(firstLine(messageOf(x)), null);
            case OutOfMemoryError o -> new ErrorReport("out of Java heap memory",
                    "give the JVM more with VECTORLM_JAVA_OPTS=-Xmx8g (weights are memory-mapped and need no heap; "
                            + "activations, the KV cache and merged NeoX partitions do)");
            default -> new ErrorReport("internal error: " + e, VERBOSE_HINT + " and report the stack trace");
        };
    }

    /** Prints the message and hint lines, and the stack trace when {@code verbose}. */
    void print(PrintWriter err, Throwable error, boolean verbose) {
        err.println("vectorlm: " + message);
        if (hint != null) {
            err.println("hint: " + hint);
        }
        if (verbose) {
            error.printStackTrace(err);
        }
        err.flush();
    }

    /** The message line (without the {@code vectorlm: } prefix). */
    String message() {
        return message;
    }

    /** The hint, or null. */
    String hint() {
        return hint;
    }

    private static String messageOf(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * A message of several lines (a list of problems) on one line: the first line, then the
     * others joined by "; ", the first {@value #JOINED_LINES} of them only.
     */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String[] lines = s.strip().split("\\R");
        StringBuilder sb = new StringBuilder(lines[0].strip());
        int joined = 0;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            if (joined == JOINED_LINES) {
                sb.append(" (and ").append(lines.length - i).append(" more; --verbose shows all)");
                break;
            }
            sb.append(joined++ == 0 && sb.charAt(sb.length() - 1) == ':' ? " " : "; ").append(line.replaceFirst("^[-*] ", ""));
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int newline = s.indexOf('\n');
        return newline < 0 ? s : s.substring(0, newline);
    }
}
