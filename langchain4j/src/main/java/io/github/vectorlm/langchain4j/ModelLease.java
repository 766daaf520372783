package io.github.vectorlm.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.Tokenizer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One langchain4j model's hold on a {@link SharedModels} entry: submits its requests to the shared
 * engine, and gives the entry back once when closed.
 */
final class ModelLease implements AutoCloseable {
    private final Path folder;
    private final Engine engine;
    private final Tokenizer tokenizer;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    ModelLease(Path folder, Engine engine, Tokenizer tokenizer, Runnable release) {
        this.folder = folder;
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.release = release;
    }

    /** The model's name as responses report it: its folder's (or file's) name. */
    String modelName() {
        Path name = folder.getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Submits {@code prompt} to the shared engine.
     *
     * @throws InvalidRequestException if the engine refuses it (empty, longer than the context, …)
     * @throws IllegalStateException if this model was closed
     */
    CompletableFuture<GenerationResult> submit(String prompt, GenerationOptions options, TokenListener listener) {
        if (closed.get()) {
            throw new IllegalStateException("this model of " + folder + " is closed");
        }
        try {
            return engine.submit(tokenizer.encode(prompt), options, listener);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /**
     * Generates from {@code prompt} and waits for the result. If the calling thread is
     * interrupted, the generation is cancelled.
     *
     * @throws IllegalStateException if called from inside a streaming handler (see {@link HandlerCalls})
     */
    GenerationResult generate(String prompt, GenerationOptions options) {
        HandlerCalls.refuseBlockingInsideHandler(engine);
        CompletableFuture<GenerationResult> future = submit(prompt, options, TokenListener.NONE);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new LangChain4jException("interrupted while generating; the generation was cancelled", e);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /** What a generation that failed with {@code cause} throws to langchain4j callers. */
    static RuntimeException failure(Throwable cause) {
        return cause instanceof LangChain4jException l ? l
                : new LangChain4jException("the generation failed: " + cause, cause);
    }

    /** Runs {@code call}, a call of an application's streaming handler (on the engine's thread). */
    void callHandler(Runnable call) {
        HandlerCalls.run(engine, call);
    }

    /** Gives the shared model back (once); the last lease closes it. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
