package io.github.vectorlm.generation;

import io.github.vectorlm.tensor.ops.Parallel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * How {@link LanguageModels#load} loads a model.
 *
 * @param parallel the thread pool kernels run on
 * @param tokenizer a tokenizer file to use instead of the one found beside the weights, or null
 * @param config a config file to use instead of the one found beside the weights, or null
 * @param int8 quantize matrix weights to int8 (models that support it)
 * @param layers which transformer layers to load (null: all); for smoke tests of huge checkpoints
 * @param progress receives loading progress
 */
public record LoadOptions(Parallel parallel, Path tokenizer, Path config, boolean int8, IntPredicate layers,
        ProgressListener progress) {
    /** Checks the arguments. */
    public LoadOptions {
        Objects.requireNonNull(parallel, "parallel");
        Objects.requireNonNull(progress, "progress");
    }

    /** The shared thread pool, files found beside the weights, weights as stored, all layers, no progress. */
    public static LoadOptions defaults() {
        return new LoadOptions(Parallel.shared(), null, null, false, null, ProgressListener.NONE);
    }

    /** With another thread pool. */
    public LoadOptions withParallel(Parallel p) {
        return new LoadOptions(p, tokenizer, config, int8, layers, progress);
    }

    /** With an explicit tokenizer file. */
    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(parallel, file, config, int8, layers, progress);
    }

    /** With an explicit config file. */
    public LoadOptions withConfig(Path file) {
        return new LoadOptions(parallel, tokenizer, file, int8, layers, progress);
    }

    /** With int8 quantization on or off. */
    public LoadOptions withInt8(boolean on) {
        return new LoadOptions(parallel, tokenizer, config, on, layers, progress);
    }

    /** Loading only the layers {@code filter} accepts. */
    public LoadOptions withLayers(IntPredicate filter) {
        return new LoadOptions(parallel, tokenizer, config, int8, filter, progress);
    }

    /** With a progress listener. */
    public LoadOptions withProgress(ProgressListener listener) {
        return new LoadOptions(parallel, tokenizer, config, int8, layers, listener);
    }
}
