package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * One sequence's state for a {@link DecoderModel}: the KV cache of every layer for its capacity,
 * allocated when the session is made, and (at its first own forward call) the workspace of one
 * prefill chunk, a {@link DecoderStep}; in a {@link io.github.vectorlm.generation.Batch} the
 * batch's workspace serves instead. The forward pass allocates nothing. Only the model that made
 * the session reads or writes its cache.
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
    private final DecoderShape shape;
    private final Parallel parallel;
    /** The workspace of this session's own forward calls, made at the first: a session run only in batches needs none. */
    private DecoderStep step;

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
        this.shape = shape;
        this.parallel = parallel;
        int cache = Math.multiplyExact(capacity, shape.width());
        this.keys = new float[cacheLayers][cache];
        this.values = new float[cacheLayers][cache];
    }

    /** The workspace of one chunk of this session alone, made at the first call. */
    DecoderStep step() {
        if (step == null) {
            step = new DecoderStep(shape, parallel, chunk, capacity);
        }
        return step;
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
