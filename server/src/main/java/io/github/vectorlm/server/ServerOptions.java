package io.github.vectorlm.server;

import io.github.vectorlm.generation.ChatTemplate;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link OpenAiServer} listens and what it accepts.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.defaults("gpt2").withPort(0).withApiKey("secret");
 * }</pre>
 *
 * @param host the address to listen on ({@code 127.0.0.1}: this machine only)
 * @param port the port; 0 picks a free one ({@link OpenAiServer#port()} tells which)
 * @param modelName the model's name in {@code /v1/models} and in requests' {@code model}
 * @param apiKey the key clients must send as {@code Authorization: Bearer KEY}, or null for none
 * @param chatTemplate how {@code /v1/chat/completions} turns messages into a prompt
 * @param maxBodyBytes the largest request body accepted (413 above it)
 * @param maxPendingSequences the most sequences (choices of all requests) waiting or running at
 *     once; a request that would pass it gets 503
 * @param maxChoices the largest {@code n} times the number of prompts in one request
 * @param bodyTimeout how long a client may take to send its request headers (from the request line
 *     on; the connection is closed after it), and again its request body (408 after it)
 * @param writeTimeout how long one write to a client may block (a client that stops reading is
 *     disconnected and its request cancelled)
 * @param idleTimeout how long a connection may stay without a request before it is closed
 * @param shutdownGrace how long a shutdown lets requests in flight finish before cancelling them
 */
public record ServerOptions(String host, int port, String modelName, String apiKey, ChatTemplate chatTemplate,
        long maxBodyBytes, int maxPendingSequences, int maxChoices, Duration bodyTimeout, Duration writeTimeout,
        Duration idleTimeout, Duration shutdownGrace) {
    /** The default address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port. */
    public static final int DEFAULT_PORT = 8080;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a bound is not positive or the port is out of range
     */
    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        if (apiKey != null && apiKey.isEmpty()) {
            throw new IllegalArgumentException("an API key must not be empty");
        }
        if (maxBodyBytes < 1 || maxPendingSequences < 1 || maxChoices < 1) {
            throw new IllegalArgumentException("server limits must be positive: " + maxBodyBytes + " body bytes, "
                    + maxPendingSequences + " pending sequences, " + maxChoices + " choices");
        }
        for (Duration d : new Duration[] {bodyTimeout, writeTimeout, idleTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("server timeouts must be positive, got " + d);
            }
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("the shutdown grace period must be 0 or more, got " + shutdownGrace);
        }
    }

    /**
     * Loopback, port 8080, no key, the plain chat template, bodies up to 4 MiB, 256 pending
     * sequences, 16 choices per request, 30 s to send a body, 30 s per write, connections idle for
     * 60 s closed, 10 s of grace at shutdown.
     *
     * @param modelName the name the model is served under
     * @return the options
     */
    public static ServerOptions defaults(String modelName) {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, modelName, null, ChatTemplate.PLAIN, 4L << 20, 256, 16,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    /** These options listening on {@code h}. */
    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, modelName, apiKey, chatTemplate, maxBodyBytes, maxPendingSequences,
                maxChoices, bodyTimeout, writeTimeout, idleTimeout, shutdownGrace);
    }

    /** These options listening on port {@code p} (0: a free one). */
    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, modelName, apiKey, chatTemplate, maxBodyBytes, maxPendingSequences,
                maxChoices, bodyTimeout, writeTimeout, idleTimeout, shutdownGrace);
    }

    /** These options requiring {@code key} (null: no key). */
    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, modelName, key, chatTemplate, maxBodyBytes, maxPendingSequences,
                maxChoices, bodyTimeout, writeTimeout, idleTimeout, shutdownGrace);
    }

    /** These options with another chat template. */
    public ServerOptions withChatTemplate(ChatTemplate template) {
        return new ServerOptions(host, port, modelName, apiKey, template, maxBodyBytes, maxPendingSequences,
                maxChoices, bodyTimeout, writeTimeout, idleTimeout, shutdownGrace);
    }

    /** These options with other request limits. */
    public ServerOptions withLimits(long bodyBytes, int pendingSequences, int choices) {
        return new ServerOptions(host, port, modelName, apiKey, chatTemplate, bodyBytes, pendingSequences, choices,
                bodyTimeout, writeTimeout, idleTimeout, shutdownGrace);
    }

    /** These options with other timeouts. */
    public ServerOptions withTimeouts(Duration body, Duration write, Duration idle, Duration grace) {
        return new ServerOptions(host, port, modelName, apiKey, chatTemplate, maxBodyBytes, maxPendingSequences,
                maxChoices, body, write, idle, grace);
    }
}
