package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * The thread pool a loaded model runs on: a pool of its own when {@link LoadOptions#threads()}
 * asks for a thread count (closed with the model), else the pool the options give (shared, closed
 * by its owner).
 *
 * @param parallel the pool
 * @param owned whether {@link #close} closes it
 */
public record ModelPool(Parallel parallel, boolean owned) implements AutoCloseable {
    /**
     * The pool {@code options} ask for.
     *
     * @param options the load options
     * @return a new pool of {@code options.threads()} threads, or {@code options.parallel()}
     */
    public static ModelPool of(LoadOptions options) {
        return options.threads() > 0 ? new ModelPool(Parallel.create(options.threads()), true)
                : new ModelPool(options.parallel(), false);
    }

    /** Closes the pool if it is the model's own. */
    @Override
    public void close() {
        if (owned) {
            parallel.close();
        }
    }
}
