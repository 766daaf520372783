package io.github.vectorlm.neox;

import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * One sequence's state for a {@link NeoxModel}: the KV cache of every loaded layer for its
 * capacity and the activation workspace of one prefill chunk, all allocated here, once. The forward
 * pass allocates nothing.
 */
final class NeoxSession implements Session {
    /** Most positions one pass through the layers handles; longer prefills run in chunks of this many. */
    static final int MAX_CHUNK = 256;

    final NeoxModel model;
    private final int capacity;
    final int chunk;
    /** Keys per loaded layer, [capacity, n_heads, head_dim], rotary already applied. */
    final float[][] keys;
    /** Values per loaded layer, laid out as the keys. */
    final float[][] values;
    /** The residual stream, [chunk, hidden]. */
    final float[] residual;
    /** LayerNorm output, [chunk, hidden]. */
    final float[] normed;
    /** query_key_value output, [chunk, n_heads, 3, head_dim]. */
    final float[] qkv;
    /** The queries, [chunk, n_heads, head_dim], as attention wants them. */
    final float[] queries;
    /** Attention output before attention.dense, [chunk, hidden]. */
    final float[] attended;
    /** attention.dense output, [chunk, hidden]. */
    final float[] attentionOut;
    /** MLP hidden layer, [chunk, intermediate]. */
    final float[] hidden;
    /** dense_4h_to_h output, [chunk, hidden]. */
    final float[] mlpOut;
    /** Attention's scratch rows. */
    final float[] attentionScratch;
    private int position;

    /** A session of {@code capacity} positions whose prefills run in chunks of at most {@code maxChunk}. */
    NeoxSession(NeoxModel model, Parallel parallel, int capacity, int maxChunk) {
        NeoxConfig c = model.config();
        this.model = model;
        if (capacity < 1 || capacity > c.maxPositions()) {
            throw new IllegalArgumentException("a session of " + capacity + " positions: the model's context holds 1 to "
                    + c.maxPositions());
        }
        this.capacity = capacity;
        int d = c.hiddenSize();
        int loaded = model.loadedLayers().length;
        if (maxChunk < 1) {
            throw new IllegalArgumentException("chunk of " + maxChunk + " positions");
        }
        this.chunk = Math.min(capacity, maxChunk);
        int cache = Math.multiplyExact(capacity, d);
        this.keys = new float[loaded][cache];
        this.values = new float[loaded][cache];
        this.residual = new float[chunk * d];
        this.normed = new float[chunk * d];
        this.qkv = new float[Math.multiplyExact(chunk, 3 * d)];
        this.queries = new float[chunk * d];
        this.attended = new float[chunk * d];
        this.attentionOut = new float[chunk * d];
        this.hidden = new float[Math.multiplyExact(chunk, c.intermediateSize())];
        this.mlpOut = new float[chunk * d];
        this.attentionScratch = new float[Attention.scratchSize(capacity, c.headDim(), parallel)];
    }

    @Override
    public int position() {
        return position;
    }

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
        return "NeoxSession[" + position + "/" + capacity() + "]";
    }
}
