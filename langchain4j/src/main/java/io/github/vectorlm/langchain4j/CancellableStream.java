package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The handle a streaming chat's handler gets with each partial response: cancelling it cancels the
 * generation, which stops at the engine's next pass and frees its cache. It may be cancelled before
 * the generation's future is {@linkplain #attach attached}: then it is cancelled on attaching.
 */
final class CancellableStream implements StreamingHandle {
    private volatile boolean cancelled;
    private volatile CompletableFuture<?> generation;

    void attach(CompletableFuture<?> future) {
        generation = future;
        if (cancelled) {
            future.cancel(true);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        CompletableFuture<?> future = generation;
        if (future != null) {
            future.cancel(true);
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }
}
