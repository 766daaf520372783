package io.github.vectorlm.gpt2;

import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * One sequence's state for a {@link Gpt2Model}: the KV cache of every layer for its capacity
 * and the activation workspace of one prefill chunk, all allocated here, once. The forward pass
 * allocates nothing.
 */
final class Gpt2Session implements Session {
    /** Most positions one pass through the blocks handles; longer prefills run in chunks of this many. */
    static final int MAX_CHUNK = 256;

    final Gpt2Model model;
    private final int capacity;
    final int chunk;
    /** Keys per layer, [capacity, n_head, head_size] = [capacity, n_embd]. */
    final float[][] keys;
    /** Values per layer, laid out as the keys. */
    final float[][] values;
    /** The residual stream, [chunk, n_embd]. */
    final float[] residual;
    /** LayerNorm output, and the output of each projection back to n_embd before the residual add. */
    final float[] normed;
    /** c_attn output, [chunk, 3·n_embd]: rows of [q | k | v]. */
    final float[] qkv;
    /** The queries, [chunk, n_embd], contiguous as attention wants them. */
    final float[] queries;
    /** Attention output, [chunk, n_embd]. */
    final float[] attended;
    /** MLP hidden layer, [chunk, n_inner]. */
    final float[] hidden;
    /** Attention's scratch rows. */
    final float[] attentionScratch;
    private int position;

    Gpt2Session(Gpt2Model model, Parallel parallel, int capacity) {
        Gpt2Config c = model.config();
        this.model = model;
        if (capacity < 1 || capacity > c.contextLength()) {
            throw new IllegalArgumentException("a session of " + capacity + " positions: the model's context holds 1 to "
                    + c.contextLength());
        }
        this.capacity = capacity;
        int d = c.embeddingSize();
        this.chunk = Math.min(capacity, MAX_CHUNK);
        this.keys = new float[c.layers()][capacity * d];
        this.values = new float[c.layers()][capacity * d];
        this.residual = new float[chunk * d];
        this.normed = new float[chunk * d];
        this.qkv = new float[chunk * 3 * d];
        this.queries = new float[chunk * d];
        this.attended = new float[chunk * d];
        this.hidden = new float[chunk * c.innerSize()];
        this.attentionScratch = new float[Attention.scratchSize(capacity, d / c.heads(), parallel)];
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
        return "Gpt2Session[" + position + "/" + capacity() + "]";
    }
}
