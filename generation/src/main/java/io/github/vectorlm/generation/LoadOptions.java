package io.github.vectorlm.generation;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.ops.Parallel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * How {@link LanguageModels#load} loads a model.
 *
 * <pre>{@code
 * LoadOptions options = LoadOptions.defaults().withThreads(4).withTokenizer(Path.of("tokenizer.json"));
 * }</pre>
 *
 * @param threads threads of a pool of the model's own, closed with it; 0 for {@code parallel}
 * @param parallel the thread pool kernels run on when {@code threads} is 0 (by default the shared
 *     pool, one thread per core); a pool given here is shared, and its owner closes it
 * @param tokenizer a tokenizer file to use instead of the one found beside the weights, or null
 * @param config a config file to use instead of the one found beside the weights, or null
 * @param int8 quantize matrix weights to int8 in the LLM.int8() style (models that support it)
 * @param quantize quantize the layers' matrices at load to {@link BlockType#Q8_0} or
 *     {@link BlockType#Q4_0} blocks (the head to Q8_0), or null for weights as stored
 * @param layers which transformer layers to load (null: all); for smoke tests of huge checkpoints
 * @param progress receives loading progress
 */
public record LoadOptions(int threads, Parallel parallel, Path tokenizer, Path config, boolean int8,
        BlockType quantize, IntPredicate layers, ProgressListener progress) {
    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException if {@code threads} is negative, {@code quantize} is neither
     *     Q8_0 nor Q4_0, or both {@code int8} and {@code quantize} are set
     */
    public LoadOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (the given pool) or more, got " + threads);
        }
        if (quantize != null && quantize != BlockType.Q8_0 && quantize != BlockType.Q4_0) {
            throw new IllegalArgumentException("weights are quantized at load to Q8_0 or Q4_0, not " + quantize);
        }
        if (quantize != null && int8) {
            throw new IllegalArgumentException("int8 (LLM.int8) and " + quantize + " quantization exclude each other");
        }
        Objects.requireNonNull(parallel, "parallel");
        Objects.requireNonNull(progress, "progress");
    }

    /**
     * The shared thread pool, files found beside the weights, weights as stored, all layers, no progress.
     *
     * @return the defaults
     */
    public static LoadOptions defaults() {
        return new LoadOptions(0, Parallel.shared(), null, null, false, null, null, ProgressListener.NONE);
    }

    /**
     * With a thread pool of {@code n} threads made for the model and closed with it.
     *
     * @param n threads, at least 1
     * @return the options
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public LoadOptions withThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        return new LoadOptions(n, Parallel.shared(), tokenizer, config, int8, quantize, layers, progress);
    }

    /**
     * With a thread pool shared with other models; its owner closes it after the models.
     *
     * @param p the pool
     * @return the options
     */
    public LoadOptions withParallel(Parallel p) {
        return new LoadOptions(0, p, tokenizer, config, int8, quantize, layers, progress);
    }

    /**
     * With an explicit tokenizer file.
     *
     * @param file the tokenizer
     * @return the options
     */
    public LoadOptions withTokenizer(Path file) {
        return new LoadOptions(threads, parallel, file, config, int8, quantize, layers, progress);
    }

    /**
     * With an explicit config file.
     *
     * @param file the config
     * @return the options
     */
    public LoadOptions withConfig(Path file) {
        return new LoadOptions(threads, parallel, tokenizer, file, int8, quantize, layers, progress);
    }

    /**
     * With int8 quantization on or off.
     *
     * @param on whether to quantize
     * @return the options
     */
    public LoadOptions withInt8(boolean on) {
        return new LoadOptions(threads, parallel, tokenizer, config, on, quantize, layers, progress);
    }

    /**
     * With the layers' matrices quantized at load to ggml's {@code type} blocks (Q8_0 or Q4_0, ggml's
     * reference quantizer), in an off-heap arena closed with the model; the LM head is quantized to
     * Q8_0 and the embeddings stay as stored. Null turns it off.
     *
     * <pre>{@code
     * LoadOptions options = LoadOptions.defaults().withQuantize(BlockType.Q8_0);
     * }</pre>
     *
     * @param type Q8_0, Q4_0 or null
     * @return the options
     * @throws IllegalArgumentException if {@code type} is another block type, or int8 is on
     */
    public LoadOptions withQuantize(BlockType type) {
        return new LoadOptions(threads, parallel, tokenizer, config, int8, type, layers, progress);
    }

    /**
     * Loading only the layers {@code filter} accepts.
     *
     * @param filter accepts layer indices
     * @return the options
     */
    public LoadOptions withLayers(IntPredicate filter) {
        return new LoadOptions(threads, parallel, tokenizer, config, int8, quantize, filter, progress);
    }

    /**
     * With a progress listener.
     *
     * @param listener receives progress
     * @return the options
     */
    public LoadOptions withProgress(ProgressListener listener) {
        return new LoadOptions(threads, parallel, tokenizer, config, int8, quantize, layers, listener);
    }
}
