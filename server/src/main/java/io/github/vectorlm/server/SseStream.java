package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A response of server-sent events as OpenAI streams them: {@code data: JSON} events, each
 * flushed at once, ending with {@code data: [DONE]}. A write that fails, or blocks longer than the
 * write timeout, throws {@link ClientGoneException}.
 */
final class SseStream {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final IoWatchdog watchdog;
    private final Duration writeTimeout;

    SseStream(ServerResponse res, IoWatchdog watchdog, Duration writeTimeout) {
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        this.out = res.outputStream();
        this.watchdog = watchdog;
        this.writeTimeout = writeTimeout;
    }

    /** Sends one event. */
    void send(JsonNode event) {
        byte[] json;
        try {
            json = JsonBody.MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(DATA, json, END);
    }

    /** Sends {@code data: [DONE]} and ends the response. */
    void done() {
        write(DONE);
        try (IoWatchdog.Deadline d = watchdog.arm(writeTimeout)) {
            out.close();
        } catch (IOException | RuntimeException e) { // Helidon: ServerConnectionException, UncheckedIOException
            throw new ClientGoneException("the client went away at the end of the stream", e);
        }
    }

    private void write(byte[]... parts) {
        try (IoWatchdog.Deadline d = watchdog.arm(writeTimeout)) {
            try {
                for (byte[] p : parts) {
                    out.write(p);
                }
                out.flush();
            } catch (IOException | RuntimeException e) { // Helidon: ServerConnectionException, UncheckedIOException
                throw new ClientGoneException(d.expired()
                        ? "the client read nothing for " + writeTimeout.toMillis() + " ms"
                        : "the client closed the connection", e);
            }
        }
    }
}
