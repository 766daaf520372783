package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;
import java.util.Arrays;
import java.util.Objects;

/**
 * One pass through the layers: the activation workspace for up to {@link #maxRows()} positions,
 * and the segments the rows belong to — each a run of consecutive positions of one
 * {@link DecoderSession}, whose KV cache its attention reads and extends. A single sequence's
 * prefill chunk is one segment; a batched step has one per sequence.
 *
 * <p>The one-position segments (decode steps) come first, rows {@code [0, singleRows())}; the
 * segments of several positions (prompt chunks) follow. {@link #project} gives the first kind the
 * arithmetic of a one-row product and the second the GEMM's, so that every position is computed
 * as it would be with its sequence alone, whatever else runs in the step. The buffers are the
 * models' workspace, named for what the block math keeps in them (shapes in rows of the step).
 */
public final class DecoderStep {
    private final DecoderShape shape;
    private final Parallel parallel;
    private final int maxRows;
    private final int maxCapacity;
    private int rows;
    private int singleRows;
    private int segments;
    private DecoderSession[] sessions = new DecoderSession[8];
    private int[] firstRows = new int[8];
    private int[] segmentRows = new int[8];
    private int[] positions = new int[8];

    /** The residual stream, [rows, width]. */
    public final float[] residual;
    /** A LayerNorm's output, [rows, width]. */
    public final float[] normed;
    /** The fused query/key/value projection's output, [rows, 3·width], in the model's own order. */
    public final float[] qkv;
    /** The queries, [rows, heads, head_dim], contiguous as attention wants them. */
    public final float[] queries;
    /** Attention's output before its output projection, [rows, width]. */
    public final float[] attended;
    /** The attention output projection's output, [rows, width]. */
    public final float[] attentionOut;
    /** The MLP's hidden layer, [rows, inner]. */
    public final float[] hidden;
    /** The MLP's output, [rows, width]. */
    public final float[] mlpOut;
    /** Attention's scratch ({@link Attention#scratchSize} for the longest session). */
    private final float[] attentionScratch;
    /** The logits of the last rows of several segments, grown to the most segments seen. */
    private float[] lastLogits = new float[0];

    /**
     * A workspace of {@code maxRows} positions for sessions of up to {@code capacity} positions.
     *
     * @throws IllegalArgumentException unless {@code maxRows >= 1} and {@code 1 <= capacity <= contextLength}
     */
    DecoderStep(DecoderShape shape, Parallel parallel, int maxRows, int capacity) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a step of " + maxRows + " positions");
        }
        if (capacity < 1 || capacity > shape.contextLength()) {
            throw new IllegalArgumentException("sessions of " + capacity + " positions: the model's context holds 1 to "
                    + shape.contextLength());
        }
        this.shape = shape;
        this.parallel = parallel;
        this.maxRows = maxRows;
        this.maxCapacity = capacity;
        int d = shape.width();
        int n = Math.multiplyExact(maxRows, d);
        this.residual = new float[n];
        this.normed = new float[n];
        this.qkv = new float[Math.multiplyExact(n, 3)];
        this.queries = new float[n];
        this.attended = new float[n];
        this.attentionOut = new float[n];
        this.hidden = new float[Math.multiplyExact(maxRows, shape.innerSize())];
        this.mlpOut = new float[n];
        this.attentionScratch = new float[Attention.scratchSize(capacity, shape.headDim(), parallel)];
    }

    /**
     * The most positions one pass takes.
     *
     * @return the row capacity
     */
    public int maxRows() {
        return maxRows;
    }

    /**
     * Rows of this pass.
     *
     * @return the number of positions over all segments
     */
    public int rows() {
        return rows;
    }

    /**
     * Rows of the one-position segments, which come first.
     *
     * @return how many of the first rows are decode steps
     */
    public int singleRows() {
        return singleRows;
    }

    /**
     * Segments of this pass.
     *
     * @return the segment count
     */
    public int segments() {
        return segments;
    }

    /**
     * @param g a segment's index
     * @return its session
     */
    public DecoderSession session(int g) {
        return sessions[checked(g)];
    }

    /**
     * @param g a segment's index
     * @return its first row in the workspace
     */
    public int firstRow(int g) {
        return firstRows[checked(g)];
    }

    /**
     * @param g a segment's index
     * @return its number of positions
     */
    public int rows(int g) {
        return segmentRows[checked(g)];
    }

    /**
     * @param g a segment's index
     * @return the sequence position of its first row
     */
    public int position(int g) {
        return positions[checked(g)];
    }

    private int checked(int g) {
        Objects.checkIndex(g, segments);
        return g;
    }

    /** Forgets every segment. */
    void clear() {
        Arrays.fill(sessions, 0, segments, null);
        segments = 0;
        rows = 0;
        singleRows = 0;
    }

    /**
     * Appends a segment of {@code count} positions of {@code session} from its current position:
     * all one-position segments must come before the others.
     */
    void add(DecoderSession session, int count) {
        if (count < 1 || count > maxRows - rows) {
            throw new IllegalArgumentException(count + " positions in a step of " + rows + "/" + maxRows);
        }
        if (count == 1 && singleRows != rows) {
            throw new IllegalStateException("one-position segments come first");
        }
        if (session.capacity() > maxCapacity) {
            throw new IllegalArgumentException("a session of " + session.capacity() + " positions in a step made for "
                    + "sessions of at most " + maxCapacity);
        }
        if (segments == sessions.length) {
            int n = segments * 2;
            sessions = Arrays.copyOf(sessions, n);
            firstRows = Arrays.copyOf(firstRows, n);
            segmentRows = Arrays.copyOf(segmentRows, n);
            positions = Arrays.copyOf(positions, n);
        }
        sessions[segments] = session;
        firstRows[segments] = rows;
        segmentRows[segments] = count;
        positions[segments] = session.position();
        segments++;
        rows += count;
        if (count == 1) {
            singleRows = rows;
        }
    }

    /**
     * {@code out = in·W + b} over the step's rows: the one-position segments' rows each with the
     * one-row arithmetic, the weights read once for all of them ({@link Matmul#linearEachRow}); the
     * others with the GEMM's ({@link Matmul#linear}).
     *
     * @param out the output rows, from row 0
     * @param in the input rows, from row 0
     * @param weights the layer
     */
    public void project(float[] out, float[] in, Linear weights) {
        int single = singleRows;
        Matmul.linearEachRow(out, 0, in, 0, single, weights, parallel);
        Matmul.linear(out, single * weights.out(), in, single * weights.in(), rows - single, weights, parallel);
    }

    /**
     * As {@link #project(float[], float[], Linear)} for a {@link Projection}.
     *
     * @param out the output rows, from row 0
     * @param in the input rows, from row 0
     * @param weights the layer
     */
    public void project(float[] out, float[] in, Projection weights) {
        int single = singleRows;
        if (single > 0) {
            weights.applyEachRow(out, 0, in, 0, single, parallel);
        }
        if (rows > single) {
            weights.apply(out, single * weights.out(), in, single * weights.in(), rows - single, parallel);
        }
    }

    /**
     * Causal attention of each segment's {@link #queries} over its session's cache of
     * {@code layer} (the segment's keys and values already written), into {@link #attended}.
     *
     * @param layer the layer's cache index
     * @param heads attention heads
     * @param headDim each head's size
     */
    public void attend(int layer, int heads, int headDim) {
        int d = shape.width();
        for (int g = 0; g < segments; g++) {
            DecoderSession s = sessions[g];
            int at = firstRows[g] * d;
            Attention.causal(attended, at, queries, at, segmentRows[g], positions[g], s.keys[layer], s.values[layer],
                    heads, headDim, attentionScratch, parallel);
        }
    }

    /** A buffer for {@code n} rows of logits, reused. */
    float[] lastLogits(int n) {
        long size = (long) n * shape.vocabSize();
        if (lastLogits.length < size) {
            lastLogits = new float[Math.toIntExact(size)];
        }
        return lastLogits;
    }

    @Override
    public String toString() {
        return "DecoderStep[" + segments + " segments, " + rows + "/" + maxRows + " rows]";
    }
}
