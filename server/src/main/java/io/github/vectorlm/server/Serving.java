package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.StopReason;
import io.github.vectorlm.generation.Tokenizer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * What the endpoints share: the engine and tokenizer, the options, the metrics, the I/O watchdog,
 * the bound on pending sequences, and the requests in flight (which a shutdown cancels).
 */
final class Serving {
    final Engine engine;
    final Tokenizer tokenizer;
    final int contextLength;
    final int vocabSize;
    final ServerOptions options;
    final ServerMetrics metrics;
    final IoWatchdog watchdog = new IoWatchdog();
    private final Semaphore pending;
    private final Set<Generation> running = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    Serving(Engine engine, Tokenizer tokenizer, int contextLength, int vocabSize, ServerOptions options) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.options = options;
        this.metrics = new ServerMetrics(engine);
        this.pending = new Semaphore(options.maxPendingSequences());
    }

    /** The request's body as a JSON object, within the size and time limits. */
    ObjectNode readBody(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        return JsonBody.read(req.content().inputStream(), declared, options.maxBodyBytes(), options.bodyTimeout(),
                watchdog);
    }

    /** Checks {@code model}: required, and the name this server serves. */
    void checkModel(Params p) {
        String model = p.string("model", null);
        if (model == null) {
            throw ApiException.badParameter("model", "'model' is required: this server serves '"
                    + options.modelName() + "'");
        }
        if (!model.equals(options.modelName())) {
            throw ApiException.unknownModel(model, options.modelName());
        }
    }

    /**
     * Checks that a prompt of {@code promptTokens} leaves room for {@code maxTokens}; a 400 names
     * {@code promptParam} when the prompt alone is too long, else {@code budgetParam}.
     */
    void checkContext(int promptTokens, long maxTokens, String promptParam, String budgetParam) {
        if (promptTokens + maxTokens > contextLength) {
            throw ApiException.contextExceeded(promptTokens > contextLength ? promptParam : budgetParam,
                    "This model's maximum context length is " + contextLength + " tokens, however you requested "
                    + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in your prompt; " + maxTokens
                    + " for the completion). Please reduce your prompt or completion length.");
        }
    }

    /**
     * Starts the choices, holding {@code prompts.size()} of the pending sequences until {@link
     * Running#close}.
     */
    Running start(List<int[]> prompts, List<GenerationOptions> generation, long startNanos) {
        if (draining) {
            throw ApiException.shuttingDown();
        }
        int k = prompts.size();
        if (!pending.tryAcquire(k)) {
            throw ApiException.overloaded(options.maxPendingSequences());
        }
        Generation g;
        try {
            g = Generation.start(engine, prompts, generation, startNanos);
        } catch (IllegalArgumentException e) {
            pending.release(k);
            throw ApiException.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            pending.release(k);
            throw ApiException.shuttingDown();
        } catch (RuntimeException e) {
            pending.release(k);
            throw e;
        }
        running.add(g);
        metrics.generationStarted();
        return new Running(g, k);
    }

    /** Stops taking generation requests: they get 503 from now on. */
    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** Generation requests answered now. */
    int inFlight() {
        return running.size();
    }

    /** Cancels every request in flight. */
    void cancelAll() {
        for (Generation g : running) {
            g.close();
        }
    }

    /** The text of one token, as OpenAI lists tokens in log-probabilities. */
    String tokenText(int id) {
        return tokenizer.decode(new int[] {id});
    }

    /** OpenAI's {@code finish_reason}. */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case STOP_TOKEN, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    /** A request's generation in flight; closing cancels what is left and frees its places. */
    final class Running implements AutoCloseable {
        final Generation generation;
        private final int permits;

        private Running(Generation generation, int permits) {
            this.generation = generation;
            this.permits = permits;
        }

        @Override
        public void close() {
            generation.close();
            if (running.remove(generation)) {
                pending.release(permits);
                metrics.generationEnded(generation.secondsToFirstToken());
            }
        }
    }

    /** The bearer token of {@code req}, or null. */
    static String bearer(ServerRequest req) {
        String h = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return h.substring(7).trim();
    }
}
