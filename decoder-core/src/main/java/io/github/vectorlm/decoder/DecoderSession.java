package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * One sequence's state for a {@link DecoderModel}: the KV cache of every layer for its capacity
 * and the activation workspace of one prefill chunk, all allocated here, once. The forward pass
 * allocates nothing.
 *
 * <p>The buffers are the model's workspace, named for what the block math keeps in them (shapes
 * in rows of one chunk: {@code chunk} positions). Only the model that made the session reads or
 * writes them.
 */
public final class DecoderSession implements Session {
    /** Most positions one pass through the layers handles; longer prefills run in chunks of this many. */
    public static final int MAX_CHUNK = 256;

    private final DecoderModel model;
    private final int capacity;
    private final int chunk;
    private int position;

    /** Keys per layer, [capacity, heads, head_dim] = [capacity, width]. */
    public final float[][] keys;
    /** Values per layer, laid out as the keys. */
    public final float[][] values;
    /** The residual stream, [chunk, width]. */
    public final float[] residual;
    /** A LayerNorm's output, [chunk, width]. */
    public final float[] normed;
    /** The fused query/key/value projection's output, [chunk, 3·width], in the model's own order. */
    public final float[] qkv;
    /** The queries, [chunk, heads, head_dim], contiguous as attention wants them. */
    public final float[] queries;
    /** Attention's output before its output projection, [chunk, width]. */
    public final float[] attended;
    /** The attention output projection's output, [chunk, width]. */
    public final float[] attentionOut;
    /** The MLP's hidden layer, [chunk, inner]. */
    public final float[] hidden;
    /** The MLP's output, [chunk, width]. */
    public final float[] mlpOut;
    /** Attention's scratch rows ({@link Attention#scratchSize}). */
    public final float[] attentionScratch;

    /**
     * A session of {@code capacity} positions whose prefills run in chunks of at most {@code maxChunk}.
     *
     * @throws IllegalArgumentException unless {@code 1 <= capacity <= contextLength} and {@code maxChunk >= 1}
     */
    DecoderSession(DecoderModel model, DecoderShape shape, int cacheLayers, Parallel parallel, int capacity,
            int maxChunk) {
        this.model = model;
        if (capacity < 1 || capacity > shape.contextLength()) {
            throw new IllegalArgumentException("a session of " + capacity + " positions: the model's context holds 1 to "
                    + shape.contextLength());
        }
        if (maxChunk < 1) {
            throw new IllegalArgumentException("chunk of " + maxChunk + " positions");
        }
        this.capacity = capacity;
        this.chunk = Math.min(capacity, maxChunk);
        int d = shape.width();
        int cache = Math.multiplyExact(capacity, d);
        int rows = Math.multiplyExact(chunk, d);
        this.keys = new float[cacheLayers][cache];
        this.values = new float[cacheLayers][cache];
        this.residual = new float[rows];
        this.normed = new float[rows];
        this.qkv = new float[Math.multiplyExact(rows, 3)];
        this.queries = new float[rows];
        this.attended = new float[rows];
        this.attentionOut = new float[rows];
        this.hidden = new float[Math.multiplyExact(chunk, shape.innerSize())];
        this.mlpOut = new float[rows];
        this.attentionScratch = new float[Attention.scratchSize(capacity, shape.headDim(), parallel)];
    }

    /** Whether {@code m} made this session. */
    boolean belongsTo(DecoderModel m) {
        return model == m;
    }

    /**
     * The most positions one pass through the layers takes.
     *
     * @return {@code min(capacity, maxChunk)}
     */
    public int chunk() {
        return chunk;
    }

    @Override
    public int position() {
        return position;
    }

    /** Counts {@code count} more positions as held. */
    void advance(int count) {
        position += count;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void reset() {
        position = 0; // stale cache rows are overwritten before they are read again
    }

    @Override
    public String toString() {
        return "DecoderSession[" + position + "/" + capacity + " of " + model + "]";
    }
}
