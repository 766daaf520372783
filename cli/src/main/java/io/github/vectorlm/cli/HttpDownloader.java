package io.github.vectorlm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL to one file, safely:
 * <ul>
 *   <li>the bytes go to {@code <file>.part}, renamed to {@code <file>} only when its size equals
 *       the size the server announced ({@code Content-Length}); a short body is never a file;
 *   <li>a {@code .part} left by an earlier run or a dropped connection is resumed with an HTTP
 *       {@code Range} request; a server that ignores the range (answers 200 with the whole body)
 *       gets the file written again from its first byte;
 *   <li>a file already there whose size equals the server's {@code Content-Length} (asked with
 *       {@code HEAD}) is kept and not downloaded again;
 *   <li>a dropped connection or a server error (5xx) is retried, resuming, up to a bounded number
 *       of attempts; a 404 or a size that contradicts the announced one is not.
 * </ul>
 */
final class HttpDownloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER_BYTES = 1 << 16;

    /** Where progress and notices go. */
    interface Listener {
        /** {@code done} of {@code total} bytes of {@code file} are on disk ({@code total} -1 when unknown). */
        void bytes(String file, long done, long total);

        /** A line worth telling the user (a retry, a restart). */
        void notice(String line);
    }

    /** What {@link #download} did. */
    enum Outcome {
        /** The file was there, complete; nothing was fetched. */
        ALREADY_COMPLETE,
        /** The whole file was fetched. */
        DOWNLOADED,
        /** A partial file was completed with range requests. */
        RESUMED
    }

    /** A download failed in a way the user must hear about; {@link #retriable()} tells whether trying again may help. */
    static final class DownloadException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean retriable;
        private final String hint;

        DownloadException(String message, boolean retriable) {
            this(message, retriable, null);
        }

        DownloadException(String message, boolean retriable, String hint) {
            super(message);
            this.retriable = retriable;
            this.hint = hint;
        }

        boolean retriable() {
            return retriable;
        }

        /** What the user can do about it, or null. */
        String hint() {
            return hint;
        }
    }

    private final HttpClient client;
    private final int attempts;
    private final Duration retryDelay;
    private final Listener listener;

    /**
     * @param client the HTTP client
     * @param attempts how many times a file is tried (requests that fail by a dropped connection or a 5xx)
     * @param retryDelay the pause before a retry, doubled at each one
     * @param listener progress and notices
     */
    HttpDownloader(HttpClient client, int attempts, Duration retryDelay, Listener listener) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        }
        this.client = Objects.requireNonNull(client, "client");
        this.attempts = attempts;
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The part file {@code target} is downloaded into. */
    static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Makes {@code target} hold the bytes at {@code url}.
     *
     * @throws DownloadException if the server refuses (e.g. 404), contradicts itself about the size,
     *     or the attempts run out; the message names the URL
     */
    Outcome download(URI url, Path target) throws IOException, InterruptedException {
        String name = target.getFileName().toString();
        Path part = partFile(target);
        long announced = withRetries(url, () -> head(url));
        if (announced >= 0 && Files.isRegularFile(target) && Files.size(target) == announced) {
            Files.deleteIfExists(part);
            listener.bytes(name, announced, announced);
            return Outcome.ALREADY_COMPLETE;
        }
        boolean resumed = Files.isRegularFile(part) && Files.size(part) > 0;
        long[] expected = {announced};
        withRetries(url, () -> {
            expected[0] = fetch(url, part, name, expected[0]);
            return 0L;
        });
        long size = Files.size(part);
        if (size != expected[0]) {
            // fetch only returns when the sizes agree; this guards the rename all the same
            throw new DownloadException(url + ": got " + size + " bytes, expected " + expected[0], false);
        }
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        listener.bytes(name, size, size);
        return resumed ? Outcome.RESUMED : Outcome.DOWNLOADED;
    }

    private interface Step {
        long run() throws IOException, InterruptedException;
    }

    private long withRetries(URI url, Step step) throws IOException, InterruptedException {
        Duration delay = retryDelay;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (IOException e) {
                if (e instanceof DownloadException d && !d.retriable()) {
                    throw e;
                }
                ConnectionFailure failure = ConnectionFailure.of(e, url);
                if (failure != null && !failure.retriable()) {
                    throw new DownloadException(url + ": " + failure.words(), false, failure.hint());
                }
                if (attempt >= attempts) {
                    throw new DownloadException(url + ": " + describe(e, url) + " (gave up after " + attempts + " attempts; "
                            + "run the command again to resume)", false);
                }
                listener.notice(url + ": " + describe(e, url) + "; trying again (" + (attempt + 1) + " of " + attempts + ")");
                Thread.sleep(delay.toMillis());
                delay = delay.multipliedBy(2);
            }
        }
    }

    /** The size the server announces for {@code url}, or -1 if it does not say (or does not answer HEAD). */
    private long head(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status == 405 || status == 501) {
            return -1; // no HEAD here: GET's Content-Length will say
        }
        checkStatus(url, status);
        return response.headers().firstValueAsLong("content-length").orElse(-1);
    }

    /**
     * Fetches what {@code part} lacks, or all of it again if the server ignores the range.
     *
     * @return the file's full size (as announced)
     */
    private long fetch(URI url, Path part, String name, long expected) throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (expected >= 0 && have > expected) {
            listener.notice(part + " is larger than the file on the server; starting it again");
            Files.delete(part);
            have = 0;
        }
        if (expected >= 0 && have == expected) {
            return expected; // complete already (an earlier run stopped just before the rename)
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).GET();
        if (have > 0) {
            builder.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            HttpHeaders headers = response.headers();
            long bodyLength = headers.firstValueAsLong("content-length").orElse(-1);
            long start;
            long total;
            if (status == 206 && have > 0) {
                Matcher m = CONTENT_RANGE.matcher(headers.firstValue("content-range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.delete(part);
                    throw new DownloadException(url + ": the server answered the range request for bytes " + have
                            + "- with '" + headers.firstValue("content-range").orElse("no Content-Range") + "'", true);
                }
                start = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 416 && have > 0) {
                Files.delete(part);
                throw new DownloadException(url + ": the server refused to resume at byte " + have + " (416)", true);
            } else {
                checkStatus(url, status);
                if (status != 200) {
                    throw new DownloadException(url + ": unexpected HTTP status " + status, false);
                }
                if (have > 0) {
                    listener.notice(name + ": the server ignores range requests; downloading it again from the start");
                }
                start = 0;
                total = bodyLength;
            }
            if (expected >= 0 && total >= 0 && total != expected) {
                Files.deleteIfExists(part);
                throw new DownloadException(url + ": size mismatch: the server announced " + expected
                        + " bytes, then sent a file of " + total, false);
            }
            long size = expected >= 0 ? expected : total;
            long end = copy(body, part, start, name, size);
            if (size < 0) {
                return end; // no size known at all: what arrived is the file
            }
            if (end < size) {
                throw new DownloadException("connection closed after " + end + " of " + size + " bytes", true);
            }
            if (end > size) {
                Files.deleteIfExists(part);
                throw new DownloadException(url + ": size mismatch: received " + end + " bytes, the server announced "
                        + size, false);
            }
            return size;
        }
    }

    /** Writes {@code body} into {@code part} from {@code start} on; returns the size of {@code part} after it. */
    private long copy(InputStream body, Path part, long start, String name, long total) throws IOException {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.truncate(start);
            channel.position(start);
            byte[] buffer = new byte[BUFFER_BYTES];
            long done = start;
            long reported = -1;
            listener.bytes(name, done, total);
            try {
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                    done += n;
                    if (done - reported >= (1 << 20)) {
                        listener.bytes(name, done, total);
                        reported = done;
                    }
                }
            } finally {
                channel.force(false);
            }
            return done;
        }
    }

    private static void checkStatus(URI url, int status) throws DownloadException {
        if (status == 404 || status == 410) {
            throw new DownloadException(url + ": not found (HTTP " + status + ")", false);
        }
        if (status >= 500) {
            throw new DownloadException(url + ": server error (HTTP " + status + ")", true);
        }
        if (status >= 400) {
            throw new DownloadException(url + ": refused (HTTP " + status + ")", false);
        }
    }

    private static String describe(IOException e, URI url) {
        if (!(e instanceof DownloadException)) {
            ConnectionFailure failure = ConnectionFailure.of(e, url);
            if (failure != null) {
                return failure.words();
            }
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * A failure to reach the server, in words: the JDK's HTTP client reports all of them as a
     * {@link java.net.ConnectException} without a message, the reason in its causes.
     *
     * @param words what happened, naming the host
     * @param retriable whether trying again may help (a name that does not resolve will not)
     * @param hint what the user can do, or null
     */
    record ConnectionFailure(String words, boolean retriable, String hint) {
        /** The failure {@code e} stands for, or null if it is not one of reaching the server. */
        static ConnectionFailure of(IOException e, URI url) {
            String host = url == null ? "the server" : url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
            if (hasCause(e, java.nio.channels.UnresolvedAddressException.class)
                    || hasCause(e, java.net.UnknownHostException.class)) {
                return new ConnectionFailure("host not found: " + (url == null ? "the server's name" : url.getHost())
                        + " does not resolve to an address", false,
                        "check the network connection and the DNS, and the host name (--base-url to use another)");
            }
            if (hasCause(e, java.net.http.HttpConnectTimeoutException.class)) {
                return new ConnectionFailure("timed out connecting to " + host, true, null);
            }
            if (hasCause(e, java.net.http.HttpTimeoutException.class)) {
                return new ConnectionFailure(host + " stopped answering (timed out)", true, null);
            }
            if (e instanceof java.net.ConnectException) {
                String m = deepestMessage(e);
                return new ConnectionFailure("could not connect to " + host + ": "
                        + (m == null || m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : m),
                        true, null);
            }
            return null;
        }

        private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        private static String deepestMessage(Throwable e) {
            String m = null;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t.getMessage() != null && !t.getMessage().isBlank()) {
                    m = t.getMessage();
                }
            }
            return m;
        }
    }
}
