package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Causal multi-head attention of new queries against a KV cache.
 *
 * <p>Layouts: queries and output are [nNew, nHeads, headDim]; the cache holds keys and values
 * [capacity, nHeads, headDim] for positions {@code 0 .. startPosition + nNew - 1} (the new
 * positions' keys and values already written). Query {@code i} is at position
 * {@code startPosition + i} and sees every position up to and including its own.
 *
 * <p>Work is split over (query, head) pairs; each pair is computed whole by one thread, so the
 * result does not depend on the thread count.
 */
public final class Attention {
    private Attention() {
    }

    /** Floats of scratch {@link #causal} needs for a cache of {@code capacity} positions. */
    public static int scratchSize(int capacity, Parallel parallel) {
        return Math.multiplyExact(capacity, parallel.threads());
    }

    /**
     * {@code out = softmax(q·Kᵀ/√headDim + causal mask)·V} per head, f32 throughout; at most one
     * row of scores per thread is materialised, in {@code scratch} (of {@link #scratchSize} floats
     * for a capacity of at least {@code startPosition + nNew}).
     *
     * @throws IllegalArgumentException if a size is negative, an array is too short for the
     *     shapes, or the scratch is too small
     */
    public static void causal(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim, float[] scratch, Parallel parallel) {
        checkArguments(out, outOffset, q, qOffset, nNew, startPosition, keys, values, nHeads, headDim);
        int positions = startPosition + nNew;
        int rowLength = scratch.length / parallel.threads();
        if (rowLength < positions) {
            throw new IllegalArgumentException("attention scratch of " + scratch.length + " floats holds "
                    + parallel.threads() + " rows of " + rowLength + " scores, but " + positions
                    + " positions need scratchSize(" + positions + ", parallel) = "
                    + (long) positions * parallel.threads());
        }
        Task task = TASKS.get();
        task.out = out;
        task.outOffset = outOffset;
        task.q = q;
        task.qOffset = qOffset;
        task.startPosition = startPosition;
        task.keys = keys;
        task.values = values;
        task.nHeads = nHeads;
        task.headDim = headDim;
        task.scratch = scratch;
        task.rowLength = rowLength;
        try {
            // about 1e6 multiply-adds (0.1 ms) is less than waking another thread may cost on a busy machine
            long work = (long) nNew * positions * nHeads * headDim;
            if (work < PARALLEL_MIN_WORK) {
                task.run(0, nNew * nHeads, 0);
            } else {
                parallel.forRange(nNew * nHeads, 1, task);
            }
        } finally {
            task.out = null;
            task.q = null;
            task.keys = null;
            task.values = null;
            task.scratch = null;
        }
    }

    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);
    /** Below this many query·key·dimension products one thread does the whole call. */
    private static final long PARALLEL_MIN_WORK = 1 << 20;

    /**
     * One call's arguments as a range body over (query, head) items, reused by the calling thread
     * (which waits for the call to finish), so that a call allocates nothing.
     */
    private static final class Task implements Parallel.RangeBody {
        private float[] out;
        private int outOffset;
        private float[] q;
        private int qOffset;
        private int startPosition;
        private float[] keys;
        private float[] values;
        private int nHeads;
        private int headDim;
        private float[] scratch;
        private int rowLength;

        @Override
        public void run(int start, int end, int worker) {
            int width = nHeads * headDim;
            float scale = (float) (1 / Math.sqrt(headDim));
            int scores = worker * rowLength;
            for (int item = start; item < end; item++) {
                int i = item / nHeads;
                int h = item - i * nHeads;
                int query = qOffset + i * width + h * headDim;
                int head = h * headDim;
                int visible = startPosition + i + 1;
                scoreRow(scratch, scores, q, query, keys, head, width, headDim, visible, scale);
                Softmax.softmax(scratch, scores, visible);
                weightedSum(out, outOffset + i * width + head, scratch, scores, visible, values, head, width,
                        headDim);
            }
        }
    }

    /**
     * {@code scores[s + t] = scale·(q·k_t)} for t &lt; visible. Its own method (as are the softmax
     * and the weighted sum) so that each phase gets C2's whole inlining budget.
     */
    private static void scoreRow(float[] scores, int s, float[] q, int query, float[] keys, int head, int width,
            int headDim, int visible, float scale) {
        for (int t = 0; t < visible; t++) {
            scores[s + t] = dot(q, query, keys, t * width + head, headDim) * scale;
        }
    }

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int d = 0;
        for (int bound = F.loopBound(n); d < bound; d += L) {
            acc = FloatVector.fromArray(F, a, aOffset + d).fma(FloatVector.fromArray(F, b, bOffset + d), acc);
        }
        if (d < n) {
            VectorMask<Float> m = F.indexInRange(d, n);
            acc = FloatVector.fromArray(F, a, aOffset + d, m).fma(FloatVector.fromArray(F, b, bOffset + d, m), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * {@code out[d] = Σ_t p[t]·V[t, head + d]}: one FMA chain per output lane, over t in order;
     * four vectors of the head are summed per sweep over t where they fit, so each p[t] is
     * broadcast once per sweep.
     */
    private static void weightedSum(float[] out, int o, float[] p, int pOffset, int visible, float[] values,
            int head, int width, int headDim) {
        int d = 0;
        for (; d + 4 * L <= headDim; d += 4 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int v = head + d;
            for (int t = 0; t < visible; t++, v += width) {
                FloatVector pt = FloatVector.broadcast(F, p[pOffset + t]);
                a0 = FloatVector.fromArray(F, values, v).fma(pt, a0);
                a1 = FloatVector.fromArray(F, values, v + L).fma(pt, a1);
                a2 = FloatVector.fromArray(F, values, v + 2 * L).fma(pt, a2);
                a3 = FloatVector.fromArray(F, values, v + 3 * L).fma(pt, a3);
            }
            a0.intoArray(out, o + d);
            a1.intoArray(out, o + d + L);
            a2.intoArray(out, o + d + 2 * L);
            a3.intoArray(out, o + d + 3 * L);
        }
        for (; d + L <= headDim; d += L) {
            FloatVector a0 = FloatVector.zero(F);
            int v = head + d;
            for (int t = 0; t < visible; t++, v += width) {
                a0 = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, p[pOffset + t]), a0);
            }
            a0.intoArray(out, o + d);
        }
        for (; d < headDim; d++) { // scalar lanes: the same FMA chain
            float acc = 0f;
            int v = head + d;
            for (int t = 0; t < visible; t++, v += width) {
                acc = Math.fma(values[v], p[pOffset + t], acc);
            }
            out[o + d] = acc;
        }
    }

    static void checkArguments(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim) {
        if (nNew < 0 || startPosition < 0 || nHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention: bad sizes nNew=" + nNew + " start=" + startPosition
                    + " heads=" + nHeads + " headDim=" + headDim);
        }
        long width = (long) nHeads * headDim;
        Elements.requireRange("attention queries", nNew, nHeads, headDim, q.length, qOffset, nNew * width);
        Elements.requireRange("attention output", nNew, nHeads, headDim, out.length, outOffset, nNew * width);
        long cached = (long) startPosition + nNew;
        Elements.requireRange("attention keys", cached, nHeads, headDim, keys.length, 0, cached * width);
        Elements.requireRange("attention values", cached, nHeads, headDim, values.length, 0, cached * width);
    }
}
