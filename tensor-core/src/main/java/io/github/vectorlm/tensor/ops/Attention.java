package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import java.util.Arrays;
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
 * <p>Work is split over heads and queries; each (query, head) pair is computed whole by one
 * thread, in an order that does not depend on the split, so the result does not depend on the
 * thread count.
 */
public final class Attention {
    private Attention() {
    }

    /** Queries of one head whose scores share each load of the transposed keys (prefill). */
    private static final int GROUP = 4;
    /** Queries of one head per work item (prefill): the keys are transposed once per item. */
    private static final int CHUNK = 64;

    /**
     * Floats of scratch {@link #causal} needs for a cache of {@code capacity} positions and heads
     * of {@code headDim}: per thread, {@value #GROUP} rows of scores and a transposed copy of one
     * head's keys.
     */
    public static int scratchSize(int capacity, int headDim, Parallel parallel) {
        if (capacity < 0 || headDim < 1) {
            throw new IllegalArgumentException("attention scratch: bad capacity " + capacity + " or headDim " + headDim);
        }
        return Math.multiplyExact(perThread(capacity, headDim), parallel.threads());
    }

    private static int perThread(int capacity, int headDim) {
        int rounded = Math.multiplyExact((capacity + L - 1) / L, L);
        return Math.multiplyExact(rounded, GROUP + headDim);
    }

    /**
     * {@code out = softmax(q·Kᵀ/√headDim + causal mask)·V} per head, f32 throughout; at most
     * {@value #GROUP} rows of scores per thread are materialised, in {@code scratch} (of
     * {@link #scratchSize} floats for a capacity of at least {@code startPosition + nNew}).
     *
     * <p>One new position (decode) is dotted with each key. Several (prefill) are taken
     * {@value #CHUNK} queries of a head at a time: that head's keys are transposed once into the
     * scratch, and the scores of {@value #GROUP} queries are made together as broadcast-FMAs over
     * key vectors, with no horizontal sums; their probabilities then share each load of the values.
     *
     * @throws IllegalArgumentException if a size is negative, an array is too short for the
     *     shapes, or the scratch is too small
     */
    public static void causal(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim, float[] scratch, Parallel parallel) {
        checkArguments(out, outOffset, q, qOffset, nNew, startPosition, keys, values, nHeads, headDim);
        int positions = startPosition + nNew;
        long needed = (long) perThread(positions, headDim) * parallel.threads();
        if (scratch.length < needed) {
            throw new IllegalArgumentException("attention scratch of " + scratch.length + " floats is too small: "
                    + positions + " positions of heads of " + headDim + " on " + parallel.threads()
                    + " threads need scratchSize(" + positions + ", " + headDim + ", parallel) = " + needed);
        }
        Task task = TASKS.get();
        task.out = out;
        task.outOffset = outOffset;
        task.q = q;
        task.qOffset = qOffset;
        task.nNew = nNew;
        task.startPosition = startPosition;
        task.keys = keys;
        task.values = values;
        task.nHeads = nHeads;
        task.headDim = headDim;
        task.scratch = scratch;
        task.perThread = (int) (scratch.length / parallel.threads());
        task.rowLength = (positions + L - 1) / L * L;
        task.blocked = nNew >= 2 && headDim % L == 0; // every prefill row with one arithmetic, whatever the chunk
        try {
            int items = task.blocked ? nHeads * ((nNew + CHUNK - 1) / CHUNK) : nNew * nHeads;
            // about 1e6 multiply-adds (0.1 ms) is less than waking another thread may cost on a busy machine
            long work = (long) nNew * positions * nHeads * headDim;
            if (work < PARALLEL_MIN_WORK) {
                task.run(0, items, 0);
            } else {
                parallel.forRange(items, 1, task);
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
     * One call's arguments as a range body, reused by the calling thread (which waits for the
     * call to finish), so that a call allocates nothing. Items are (query, head) pairs, or for the
     * blocked path (head, chunk of queries) pairs, head-major so that a contiguous share of the
     * items holds as much late (long) work as early.
     */
    private static final class Task implements Parallel.RangeBody {
        private float[] out;
        private int outOffset;
        private float[] q;
        private int qOffset;
        private int nNew;
        private int startPosition;
        private float[] keys;
        private float[] values;
        private int nHeads;
        private int headDim;
        private float[] scratch;
        private int perThread;
        private int rowLength;
        private boolean blocked;

        @Override
        public void run(int start, int end, int worker) {
            if (blocked) {
                runBlocked(start, end, worker);
                return;
            }
            int width = nHeads * headDim;
            float scale = (float) (1 / Math.sqrt(headDim));
            int scores = worker * perThread;
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

        private void runBlocked(int start, int end, int worker) {
            int width = nHeads * headDim;
            float scale = (float) (1 / Math.sqrt(headDim));
            int chunks = (nNew + CHUNK - 1) / CHUNK;
            int rows = worker * perThread;
            int transposed = rows + GROUP * rowLength;
            for (int item = start; item < end; item++) {
                int h = item / chunks;
                int first = (item - h * chunks) * CHUNK;
                int last = Math.min(nNew, first + CHUNK);
                int head = h * headDim;
                transposeKeys(scratch, transposed, keys, head, width, headDim, startPosition + last);
                int i = first;
                for (; i + GROUP <= last; i += GROUP) {
                    int query = qOffset + i * width + head;
                    int visible = startPosition + i + 1; // of the group's first query; the others see 1, 2, 3 more
                    scoreGroup(scratch, rows, rowLength, q, query, width, scratch, transposed, headDim,
                            visible + GROUP - 1, scale);
                    for (int r = 0; r < GROUP; r++) {
                        int row = rows + r * rowLength;
                        Softmax.softmax(scratch, row, visible + r);
                        // probability 0 for the keys this query may not see: the group's shared FMA
                        // chain over them then adds exactly nothing to this query's sums
                        Arrays.fill(scratch, row + visible + r, row + visible + GROUP - 1, 0f);
                    }
                    weightedSumGroup(out, outOffset + i * width + head, width, scratch, rows, rowLength,
                            visible + GROUP - 1, values, head, headDim);
                }
                for (; i < last; i++) {
                    int visible = startPosition + i + 1;
                    scoreTransposed(scratch, rows, q, qOffset + i * width + head, scratch, transposed, headDim,
                            visible, scale);
                    Softmax.softmax(scratch, rows, visible);
                    weightedSum(out, outOffset + i * width + head, scratch, rows, visible, values, head, width,
                            headDim);
                }
            }
        }
    }

    /**
     * Keys {@code [0, n)} of one head into blocks of {@code L} keys: {@code kt[b·headDim·L + d·L + j]
     * = K[b·L + j, head + d]}; the last block's missing keys are 0.
     */
    private static void transposeKeys(float[] kt, int ktOffset, float[] keys, int head, int width, int headDim,
            int n) {
        int blocks = (n + L - 1) / L;
        for (int b = 0; b < blocks; b++) {
            int base = ktOffset + b * headDim * L;
            for (int j = 0; j < L; j++) {
                int t = b * L + j;
                if (t < n) {
                    int k = t * width + head;
                    for (int d = 0; d < headDim; d++) {
                        kt[base + d * L + j] = keys[k + d];
                    }
                } else {
                    for (int d = 0; d < headDim; d++) {
                        kt[base + d * L + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Scores of {@value #GROUP} consecutive queries (rows {@code rowLength} apart from
     * {@code scores[s]}) against keys {@code [0, n)} rounded up to whole blocks: per block, one
     * FMA chain per query over the head's dimensions in order, then times the scale.
     */
    private static void scoreGroup(float[] scores, int s, int rowLength, float[] q, int query, int width,
            float[] kt, int ktOffset, int headDim, int n, float scale) {
        int blocks = (n + L - 1) / L;
        int q1 = query + width;
        int q2 = q1 + width;
        int q3 = q2 + width;
        for (int b = 0; b < blocks; b++) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int k = ktOffset + b * headDim * L;
            for (int d = 0; d < headDim; d++, k += L) {
                FloatVector key = FloatVector.fromArray(F, kt, k);
                a0 = key.fma(FloatVector.broadcast(F, q[query + d]), a0);
                a1 = key.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
                a2 = key.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
                a3 = key.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
            }
            int t = s + b * L;
            a0.mul(scale).intoArray(scores, t);
            a1.mul(scale).intoArray(scores, t + rowLength);
            a2.mul(scale).intoArray(scores, t + 2 * rowLength);
            a3.mul(scale).intoArray(scores, t + 3 * rowLength);
        }
    }

    /** {@link #scoreGroup} for one query. */
    private static void scoreTransposed(float[] scores, int s, float[] q, int query, float[] kt, int ktOffset,
            int headDim, int n, float scale) {
        int blocks = (n + L - 1) / L;
        for (int b = 0; b < blocks; b++) {
            FloatVector a0 = FloatVector.zero(F);
            int k = ktOffset + b * headDim * L;
            for (int d = 0; d < headDim; d++, k += L) {
                a0 = FloatVector.fromArray(F, kt, k).fma(FloatVector.broadcast(F, q[query + d]), a0);
            }
            a0.mul(scale).intoArray(scores, s + b * L);
        }
    }

    /**
     * {@link #weightedSum} for {@value #GROUP} consecutive queries (output rows {@code width}
     * apart, probability rows {@code rowLength} apart) over keys {@code [0, n)}: each value vector
     * is loaded once for the four; each output lane is the same FMA chain over t in order as the
     * one-query sum. {@code headDim} is a multiple of {@code L}.
     */
    private static void weightedSumGroup(float[] out, int o, int width, float[] p, int pOffset, int rowLength,
            int n, float[] values, int head, int headDim) {
        int p1 = pOffset + rowLength;
        int p2 = p1 + rowLength;
        int p3 = p2 + rowLength;
        int d = 0;
        for (; d + 2 * L <= headDim; d += 2 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector c0 = a0;
            FloatVector c1 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            int v = head + d;
            for (int t = 0; t < n; t++, v += width) {
                FloatVector v0 = FloatVector.fromArray(F, values, v);
                FloatVector v1 = FloatVector.fromArray(F, values, v + L);
                FloatVector pa = FloatVector.broadcast(F, p[pOffset + t]);
                FloatVector pb = FloatVector.broadcast(F, p[p1 + t]);
                FloatVector pc = FloatVector.broadcast(F, p[p2 + t]);
                FloatVector pe = FloatVector.broadcast(F, p[p3 + t]);
                a0 = v0.fma(pa, a0);
                a1 = v1.fma(pa, a1);
                b0 = v0.fma(pb, b0);
                b1 = v1.fma(pb, b1);
                c0 = v0.fma(pc, c0);
                c1 = v1.fma(pc, c1);
                e0 = v0.fma(pe, e0);
                e1 = v1.fma(pe, e1);
            }
            a0.intoArray(out, o + d);
            a1.intoArray(out, o + d + L);
            b0.intoArray(out, o + width + d);
            b1.intoArray(out, o + width + d + L);
            c0.intoArray(out, o + 2 * width + d);
            c1.intoArray(out, o + 2 * width + d + L);
            e0.intoArray(out, o + 3 * width + d);
            e1.intoArray(out, o + 3 * width + d + L);
        }
        for (; d < headDim; d += L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector b0 = a0;
            FloatVector c0 = a0;
            FloatVector e0 = a0;
            int v = head + d;
            for (int t = 0; t < n; t++, v += width) {
                FloatVector v0 = FloatVector.fromArray(F, values, v);
                a0 = v0.fma(FloatVector.broadcast(F, p[pOffset + t]), a0);
                b0 = v0.fma(FloatVector.broadcast(F, p[p1 + t]), b0);
                c0 = v0.fma(FloatVector.broadcast(F, p[p2 + t]), c0);
                e0 = v0.fma(FloatVector.broadcast(F, p[p3 + t]), e0);
            }
            a0.intoArray(out, o + d);
            b0.intoArray(out, o + width + d);
            c0.intoArray(out, o + 2 * width + d);
            e0.intoArray(out, o + 3 * width + d);
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
        if (L >= 16) {
            acc = acc.add(acc.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            acc = acc.add(acc.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            acc = acc.add(acc.rearrange(Simd.FOLD_2));
        }
        return acc.add(acc.rearrange(Simd.FOLD_1)).lane(0);
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
