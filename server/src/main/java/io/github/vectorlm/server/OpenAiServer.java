package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Tokenizer;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An OpenAI-compatible HTTP server on an {@link Engine}: {@code POST /v1/completions}, {@code POST
 * /v1/chat/completions}, {@code GET /v1/models}, {@code GET /health} and {@code GET /metrics}
 * (Prometheus text). Every request's handler runs on a virtual thread of the Helidon WebServer and
 * blocks on its generation's events; the engine's thread never waits for a client.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModels.load(path);
 *      Engine engine = Engine.start(model, EngineOptions.forSequences(model, 8));
 *      OpenAiServer server = OpenAiServer.start(model, engine, ServerOptions.defaults("gpt2"), System.err::println)) {
 *     server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Errors are OpenAI's JSON error objects with the matching status; a client never sees a stack
 * trace. {@link #close} stops taking requests, lets those in flight finish for the options' grace
 * period, cancels the rest and stops listening; the engine and the model stay open (their owner
 * closes them after the server).
 */
public final class OpenAiServer implements AutoCloseable {
    private final Serving serving;
    private final WebServer webServer;
    private final Consumer<String> requestLog;
    private final byte[] apiKey;
    private volatile boolean closed;

    private OpenAiServer(Serving serving, Consumer<String> requestLog) {
        this.serving = serving;
        this.requestLog = requestLog;
        ServerOptions o = serving.options;
        this.apiKey = o.apiKey() == null ? null : o.apiKey().getBytes(StandardCharsets.UTF_8);
        CompletionsEndpoint completions = new CompletionsEndpoint(serving);
        ChatCompletionsEndpoint chat = new ChatCompletionsEndpoint(serving);
        Duration idle = o.idleTimeout();
        Duration period = idle.dividedBy(4).compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : idle.dividedBy(4);
        this.webServer = WebServer.builder()
                .host(o.host())
                .port(o.port())
                .maxPayloadSize(o.maxBodyBytes())
                .idleConnectionTimeout(idle)
                .idleConnectionPeriod(period)
                .connectionOptions(s -> s.readTimeout(idle).tcpNoDelay(true))
                .protocolsDiscoverServices(false) // HTTP/1.1 only, configured here (a second one would wait for a first byte)
                .addProtocol(Http1Config.builder()
                        .addReceiveListener(new HeaderDeadline(serving.watchdog, o.bodyTimeout()))
                        .build())
                .shutdownGracePeriod(Duration.ofMillis(500))
                .shutdownHook(false) // the owner stops the server (close), draining requests first
                .directHandlers(directHandlers())
                .routing(r -> routes(r, completions, chat))
                .build()
                .start();
    }

    /**
     * Starts serving {@code engine}'s model.
     *
     * @param model the model the engine runs (for its tokenizer, context and vocabulary)
     * @param engine the engine; the server does not close it
     * @param options where to listen and what to accept
     * @param requestLog receives one line per request
     * @return the running server
     * @throws IllegalArgumentException if the model has no tokenizer
     */
    public static OpenAiServer start(LanguageModel model, Engine engine, ServerOptions options,
            Consumer<String> requestLog) {
        Tokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException(
                "the model has no tokenizer: the server needs one to read prompts and write text"));
        Serving serving = new Serving(Objects.requireNonNull(engine, "engine"), tokenizer, model.contextLength(),
                model.vocabSize(), Objects.requireNonNull(options, "options"));
        return new OpenAiServer(serving, Objects.requireNonNull(requestLog, "requestLog"));
    }

    /**
     * The port the server listens on (the one picked when the options asked for 0).
     *
     * @return the port
     */
    public int port() {
        return webServer.port();
    }

    /**
     * Whether the server is listening.
     *
     * @return true until {@link #close}
     */
    public boolean isRunning() {
        return webServer.isRunning();
    }

    /**
     * Stops the server: new requests get 503, requests in flight have the options' grace period to
     * finish, then the rest are cancelled (their KV caches freed) and the listener stops. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving.drain();
        long deadline = System.nanoTime() + serving.options.shutdownGrace().toNanos();
        try {
            while (serving.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serving.cancelAll();
        webServer.stop();
        serving.watchdog.close();
    }

    private void routes(HttpRouting.Builder r, CompletionsEndpoint completions, ChatCompletionsEndpoint chat) {
        r.post("/v1/completions", (req, res) -> serve("completions", req, res, true, completions::handle));
        r.post("/v1/chat/completions", (req, res) -> serve("chat_completions", req, res, true, chat::handle));
        r.get("/v1/models", (req, res) -> serve("models", req, res, true, (q, s, rec) -> Responses.sendJson(s, 200, models())));
        r.get("/v1/models/{id}", (req, res) -> serve("models", req, res, true, (q, s, rec) -> {
            String id = q.path().pathParameters().get("id");
            if (!id.equals(serving.options.modelName())) {
                throw ApiException.unknownModel(id, serving.options.modelName());
            }
            Responses.sendJson(s, 200, models().get("data").get(0));
        }));
        r.get("/health", (req, res) -> serve("health", req, res, false, (q, s, rec) -> health(s)));
        r.get("/metrics", (req, res) -> serve("metrics", req, res, false, (q, s, rec) -> {
            s.header(HeaderNames.CONTENT_TYPE, serving.metrics.contentType());
            s.send(serving.metrics.scrape());
        }));
        r.any((req, res) -> serve("other", req, res, false, (q, s, rec) -> {
            throw ApiException.unknownPath(q.prologue().method().text(), q.path().path());
        }));
    }

    private void health(ServerResponse res) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        boolean up = !serving.draining();
        o.put("status", up ? "ok" : "shutting down");
        o.put("model", serving.options.modelName());
        o.put("active_sequences", serving.engine.activeSequences());
        o.put("waiting_requests", serving.engine.waitingRequests());
        Responses.sendJson(res, up ? 200 : 503, o);
    }

    private ObjectNode models() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("object", "list");
        ObjectNode m = o.putArray("data").addObject();
        m.put("id", serving.options.modelName());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "vectorlm");
        return o;
    }

    /** A handler given the request's log record. */
    @FunctionalInterface
    private interface Endpoint {
        void handle(ServerRequest req, ServerResponse res, RequestRecord record) throws Exception;
    }

    /** Runs an endpoint: the key check, errors as OpenAI JSON, the metrics and the log line. */
    private void serve(String name, ServerRequest req, ServerResponse res, boolean needsKey, Endpoint endpoint) {
        long start = System.nanoTime();
        String peer = peer(req); // before any I/O: once the socket is closed, it can no longer be asked
        RequestRecord record = new RequestRecord();
        int status;
        try {
            if (needsKey && apiKey != null && !keyMatches(Serving.bearer(req))) {
                throw ApiException.unauthorized();
            }
            endpoint.handle(req, res, record);
            status = res.status().code();
        } catch (ApiException e) {
            status = e.status();
            record.note = e.getMessage();
            sendError(res, e);
        } catch (ClientGoneException e) {
            status = 499; // nginx's "client closed request"
            record.note = e.getMessage();
        } catch (InterruptedException e) {
            status = 503;
            record.note = "interrupted (shutdown)";
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            status = 500;
            record.note = e.toString();
            Responses.logFailure(e);
            sendError(res, ApiException.internal());
        }
        serving.metrics.requestAnswered(name, status);
        requestLog.accept(logLine(req, peer, status, (System.nanoTime() - start) / 1e6, record));
    }

    private boolean keyMatches(String given) {
        return given != null && MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return; // a stream has begun: its own error event said it
        }
        try {
            if (e.status() == 503) {
                res.header(HeaderNames.RETRY_AFTER, "1");
            }
            if (e.status() == 413 || e.status() == 408) {
                // the body was not read to its end: the connection closes, and the client must know
                // not to send its next request on it
                res.header(HeaderNames.CONNECTION, "close");
            }
            Responses.sendJson(res, e.status(), e.toJson());
        } catch (RuntimeException ignored) {
            // the client is gone or the response had started: nothing more to tell it
        }
    }

    private static String peer(ServerRequest req) {
        try {
            return req.remotePeer().host();
        } catch (RuntimeException e) {
            return "-";
        }
    }

    private static String logLine(ServerRequest req, String peer, int status, double millis, RequestRecord r) {
        StringBuilder s = new StringBuilder();
        s.append(Instant.now()).append(' ').append(peer).append(' ')
                .append(req.prologue().method().text()).append(' ').append(req.path().path()).append(' ')
                .append(status).append(' ').append(String.format(Locale.ROOT, "%.1fms", millis));
        if (r.promptTokens >= 0) {
            s.append(" prompt=").append(r.promptTokens);
        }
        if (r.completionTokens >= 0) {
            s.append(" completion=").append(r.completionTokens);
        }
        if (r.stream) {
            s.append(" stream");
        }
        if (r.note != null) {
            s.append(" \"").append(r.note.replace('"', '\'')).append('"');
        }
        return s.toString();
    }

    /** Helidon's own refusals (bad HTTP, a body over the limit) in OpenAI's error shape. */
    private DirectHandlers directHandlers() {
        DirectHandler json = (request, type, status, headers, message) -> {
            ApiException e = new ApiException(status.code(), status.code() >= 500 ? "server_error"
                    : "invalid_request_error", null, status.code() == 413 ? "request_too_large" : null,
                    status.code() == 413 ? "The request body is larger than this server's limit of "
                            + serving.options.maxBodyBytes() + " bytes" : "Bad HTTP request: " + status.reasonPhrase());
            serving.metrics.requestAnswered("other", status.code());
            requestLog.accept(Instant.now() + " - " + status.code() + " \"" + e.getMessage() + "\"");
            return DirectHandler.TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .entity(e.toJson().toString())
                    .keepAlive(false)
                    .build();
        };
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType t : DirectHandler.EventType.values()) {
            b.addHandler(t, json);
        }
        return b.build();
    }
}
