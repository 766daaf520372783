package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Int8Linear;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.QuantizedLinear;
import java.lang.foreign.Arena;

/**
 * How a loader turns a model's matrices into {@link Projection}s, from {@link LoadOptions}: as
 * stored; LLM.int8() ({@link LoadOptions#int8()}); or ggml blocks ({@link LoadOptions#quantize()}).
 * Quantized copies live in an off-heap arena that {@link #close()} frees: close it with the model.
 *
 * <p>What stays in 16/32 bits, and why:
 * <ul>
 *   <li>embeddings (token, position) stay as stored: a token reads one row of them, so they cost
 *       nothing per token in bandwidth, and GPT-2's tied head keeps the exact f32 rows for the
 *       input side;
 *   <li>LayerNorm weights and all biases stay as stored: they are vectors, a rounding error there
 *       shifts every output of a layer, and they are a tiny share of the bytes;
 *   <li>the LM head: with int8, an f32 head is rounded to F16 (LLM.int8() keeps the output embedding
 *       in 16 bits), a 16-bit one stays; with Q8_0 or Q4_0 it becomes Q8_0 in both cases, as
 *       llama.cpp keeps its output matrix at higher precision than Q4_0 (Q6_K there, which this
 *       library computes when a GGUF file has it, but does not quantize to): the head is a third of GPT-2 124M's bytes per token, and
 *       logits are where rounding shows most directly.
 * </ul>
 */
public final class WeightQuantization implements AutoCloseable {
    private final LoadOptions options;
    private final Arena arena;
    private final String task;
    private final long total;
    private long done;

    private WeightQuantization(LoadOptions options, String model, int matrices) {
        this.options = options;
        boolean quantizes = options.int8() || options.quantize() != null;
        this.arena = quantizes ? Arena.ofShared() : null;
        this.task = quantizes ? "quantizing " + model + " layers to " + describe(options) : null;
        this.total = matrices;
        if (quantizes) {
            options.progress().progress(task, 0, total);
        }
    }

    /**
     * The quantization {@code options} ask for.
     *
     * @param options the load options
     * @param model the model's name, for progress ("GPT-2")
     * @param matrices how many layer matrices will be quantized, for progress
     * @return it; close it with the model
     */
    public static WeightQuantization of(LoadOptions options, String model, int matrices) {
        return new WeightQuantization(options, model, matrices);
    }

    /**
     * What the options quantize to: "int8", "Q8_0", "Q4_0", or "" for weights as stored.
     *
     * @param options the load options
     * @return the name
     */
    public static String describe(LoadOptions options) {
        return options.int8() ? "int8" : options.quantize() != null ? options.quantize().name() : "";
    }

    /**
     * A layer matrix as the forward pass runs it.
     *
     * @param linear the matrix as stored
     * @return its projection
     * @throws IllegalArgumentException if a block type is asked for and the input width is not a
     *     multiple of 32
     */
    public Projection layer(Linear linear) {
        Projection p;
        if (options.int8()) {
            p = Projection.of(Int8Linear.quantize(linear, Int8Linear.DEFAULT_THRESHOLD, arena));
        } else if (options.quantize() != null) {
            p = Projection.of(QuantizedLinear.quantize(linear, options.quantize(), arena));
        } else {
            return Projection.of(linear);
        }
        options.progress().progress(task, ++done, total);
        return p;
    }

    /**
     * The LM head as the forward pass runs it (see the class notes).
     *
     * @param head the head as stored
     * @return its projection
     */
    public Projection head(Linear head) {
        if (options.int8() && head.weight().dtype() == DType.F32) {
            return Projection.of(Linear.outIn(head.weight().convertTo(DType.F16, arena), head.bias()));
        }
        if (options.quantize() != null) {
            return Projection.of(QuantizedLinear.quantize(head, BlockType.Q8_0, arena));
        }
        return Projection.of(head);
    }

    /** Frees the quantized copies: the model's projections must not run after this. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
