package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y = x·Wᵀ + b} for an {@link Int8Linear}, LLM.int8() style:
 * <ol>
 *   <li>outliers of row {@code r}: every input feature {@code i} with {@code |x[r, i]| > threshold};
 *   <li>each row of x without its outliers is quantized by its absolute maximum,
 *       {@code qx = round(127·x/absmax)}, scale {@code sx = absmax/127};
 *   <li>{@code y[r, o] = (Σ_i qx[r, i]·qw[o, i])·(sx[r]·sw[o])}, then for each outlier
 *       {@code c} of the row in increasing order {@code y = fma(W[o, c], x[r, c], y)} with the
 *       original f32 weight, then {@code + b[o]}.
 * </ol>
 * A row's result depends only on that row. {@link #linearEachRow} gives each of several rows the
 * one-row arithmetic (exact int32 sums), reading the weights once.
 * One row (decode) sums int8 products exactly in int32 lanes, reading one byte per weight. Several
 * rows (prefill) run the f32 packed GEMM on the integer values (exact while partial sums stay below
 * 2^24, i.e. for up to 1040 inputs; beyond, rounded to f32), which is as fast as the f32 GEMM.
 * Work is split over outputs only, so results do not depend on the thread count.
 */
final class Int8Matmul {
    private static final VectorSpecies<Integer> I = Simd.I;
    private static final VectorSpecies<Byte> B = Simd.B_NARROW;

    private Int8Matmul() {
    }

    static void linear(float[] out, int outOffset, float[] x, int xOffset, int rows, Int8Linear w, Parallel parallel) {
        linear(out, outOffset, x, xOffset, rows, w, parallel, rows == 1);
    }

    /**
     * Each of {@code rows} rows exactly as {@link #linear} computes one row alone (exact int32
     * sums), the int8 weights read once for all rows: the decode step of several sequences.
     */
    static void linearEachRow(float[] out, int outOffset, float[] x, int xOffset, int rows, Int8Linear w,
            Parallel parallel) {
        linear(out, outOffset, x, xOffset, rows, w, parallel, true);
    }

    private static void linear(float[] out, int outOffset, float[] x, int xOffset, int rows, Int8Linear w,
            Parallel parallel, boolean integerSums) {
        int in = w.in();
        int nOut = w.out();
        // find the columns with an outlier in some row and quantize each row, once, in the calling thread
        int[] outliers = Scratch.ints(0, in);
        int outlierCount = outlierColumns(x, xOffset, rows, in, w.threshold(), outliers);
        float[] rowScales = Scratch.get(Scratch.PARAMS2, rows);
        int[] qxInt = integerSums ? Scratch.ints(1, rows * in) : null;
        float[] qxFloat = integerSums ? null : Scratch.get(Scratch.QUANTIZED, rows * in);
        for (int r = 0; r < rows; r++) {
            rowScales[r] = quantizeRow(x, xOffset + r * in, in, w.threshold(), qxInt, qxFloat, r * in);
        }
        Task task = TASKS.get();
        task.out = out;
        task.outOffset = outOffset;
        task.x = x;
        task.xOffset = xOffset;
        task.rows = rows;
        task.w = w;
        task.outliers = outliers;
        task.outlierCount = outlierCount;
        task.rowScales = rowScales;
        task.qxInt = qxInt;
        task.qxFloat = qxFloat;
        try {
            parallel.forRange(nOut, Gemm.NR, task);
        } finally {
            task.out = null;
            task.x = null;
            task.w = null;
            task.qxInt = null;
            task.qxFloat = null;
        }
    }

    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    /** One call as a range body over outputs, reused by the calling thread so that a call allocates nothing. */
    private static final class Task implements Parallel.RangeBody {
        private float[] out;
        private int outOffset;
        private float[] x;
        private int xOffset;
        private int rows;
        private Int8Linear w;
        private int[] outliers;
        private int outlierCount;
        private float[] rowScales;
        private int[] qxInt;
        private float[] qxFloat;

        @Override
        public void run(int start, int end, int worker) {
            int nOut = w.out();
            if (qxInt != null) {
                gemvRange(out, outOffset, qxInt, rows, rowScales, w, start, end);
            } else {
                Gemm.compute(out, outOffset, qxFloat, 0, rows, w.int8View(), start, end);
                scaleRange(out, outOffset, rows, nOut, rowScales, w.scales(), start, end);
            }
            if (outlierCount > 0) {
                addOutliers(out, outOffset, x, xOffset, rows, w.source(), w.threshold(), outliers, outlierCount, start,
                        end);
            }
            for (int r = 0; r < rows; r++) {
                Gemv.addBias(out, outOffset + r * nOut, w.source().bias(), start, end);
            }
        }
    }

    /** Writes the sorted indices of the columns where some row has an outlier, |x| &gt; threshold; returns how many. */
    static int outlierColumns(float[] x, int xOffset, int rows, int in, float threshold, int[] outliers) {
        int count = 0;
        for (int i = 0; i < in; i++) {
            for (int r = 0; r < rows; r++) {
                if (Math.abs(x[xOffset + r * in + i]) > threshold) {
                    outliers[count++] = i;
                    break;
                }
            }
        }
        return count;
    }

    /**
     * Quantizes one row without its outliers (|x| &gt; threshold: 0 in the result and left out of
     * the absolute maximum). Writes ints or integer-valued floats; returns the scale absmax/127.
     */
    static float quantizeRow(float[] x, int from, int in, float threshold, int[] qInt, float[] qFloat, int to) {
        float absmax = 0f;
        for (int i = 0; i < in; i++) {
            float a = Math.abs(x[from + i]);
            if (!(a > threshold)) {
                absmax = Math.max(absmax, a);
            }
        }
        for (int i = 0; i < in; i++) {
            float v = x[from + i];
            int q = Math.abs(v) > threshold || absmax == 0f ? 0 : (int) Math.rint(v * 127f / absmax);
            if (qInt != null) {
                qInt[to + i] = q;
            } else {
                qFloat[to + i] = q;
            }
        }
        return absmax / 127f;
    }

    /**
     * Each row: {@code out[r, o] = dot(qx[r], qw[o])·(sx[r]·sw[o])} with exact int32 sums; each
     * weight row is read from memory once and from cache for the other rows.
     */
    private static void gemvRange(float[] out, int outOffset, int[] qx, int rows, float[] rowScales, Int8Linear w,
            int o0, int o1) {
        Tensor q = w.quantizedWeight();
        MemorySegment seg = q.segment();
        int in = w.in();
        int nOut = w.out();
        float[] scales = w.scales();
        long row = q.byteOffset() + (long) o0 * in;
        for (int o = o0; o < o1; o++, row += in) {
            for (int r = 0; r < rows; r++) {
                out[outOffset + r * nOut + o] = dot(seg, row, qx, r * in, in) * (rowScales[r] * scales[o]);
            }
        }
    }

    /**
     * Σ qw[i]·qx[i] over one int8 row, exact: 4·L weights per step, loaded {@link Simd#B_NARROW} at a
     * time and widened whole to int vectors (at 4 lanes each 8-byte load is parts 0 and 1), as
     * {@link BlockDots} does: widening parts of one full-width byte vector costs a shuffle per part.
     * Integer sums are exact, so the result is the same at every vector width.
     */
    static int dot(MemorySegment seg, long row, int[] qx, int qxOffset, int n) {
        int step = 4 * L;
        IntVector a0 = IntVector.zero(I);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        int i = 0;
        for (int bound = n - n % step; i < bound; i += step) {
            IntVector w0;
            IntVector w1;
            IntVector w2;
            IntVector w3;
            if (L >= 8) {
                w0 = (IntVector) ByteVector.fromMemorySegment(B, seg, row + i, Simd.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                w1 = (IntVector) ByteVector.fromMemorySegment(B, seg, row + i + L, Simd.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                w2 = (IntVector) ByteVector.fromMemorySegment(B, seg, row + i + 2 * L, Simd.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                w3 = (IntVector) ByteVector.fromMemorySegment(B, seg, row + i + 3 * L, Simd.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
            } else {
                ByteVector b0 = ByteVector.fromMemorySegment(B, seg, row + i, Simd.LE);
                ByteVector b1 = ByteVector.fromMemorySegment(B, seg, row + i + 8, Simd.LE);
                w0 = (IntVector) b0.convertShape(VectorOperators.B2I, I, 0);
                w1 = (IntVector) b0.convertShape(VectorOperators.B2I, I, 1);
                w2 = (IntVector) b1.convertShape(VectorOperators.B2I, I, 0);
                w3 = (IntVector) b1.convertShape(VectorOperators.B2I, I, 1);
            }
            a0 = a0.add(w0.mul(IntVector.fromArray(I, qx, qxOffset + i)));
            a1 = a1.add(w1.mul(IntVector.fromArray(I, qx, qxOffset + i + L)));
            a2 = a2.add(w2.mul(IntVector.fromArray(I, qx, qxOffset + i + 2 * L)));
            a3 = a3.add(w3.mul(IntVector.fromArray(I, qx, qxOffset + i + 3 * L)));
        }
        int sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, row + i) * qx[qxOffset + i];
        }
        return sum;
    }

    /** Several rows: the GEMM left integer dot products in {@code out}; scale them. */
    private static void scaleRange(float[] out, int outOffset, int rows, int nOut, float[] rowScales, float[] scales,
            int o0, int o1) {
        for (int r = 0; r < rows; r++) {
            int y = outOffset + r * nOut;
            float sx = rowScales[r];
            for (int o = o0; o < o1; o++) {
                out[y + o] = out[y + o] * (sx * scales[o]);
            }
        }
    }

    /**
     * {@code out[r, o] = fma(W[o, c_j], x[r, c_j], out[r, o])} for the outliers {@code c_j} of each
     * row in increasing order, from the original weights: column {@code c_j} of outputs [o0, o1) is
     * widened once into a scratch row, then added to every row with one FMA per output.
     */
    private static void addOutliers(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear source,
            float threshold, int[] outliers, int count, int o0, int o1) {
        int width = o1 - o0;
        int in = source.in();
        int nOut = source.out();
        float[] column = Scratch.get(Scratch.OUTLIERS, width);
        Tensor w = source.weight();
        for (int j = 0; j < count; j++) {
            int c = outliers[j];
            if (source.layout() == Linear.Layout.IN_OUT) {
                Widen.tensor(w, (long) c * nOut + o0, column, 0, width); // input row c: contiguous
            } else {
                for (int o = o0; o < o1; o++) {
                    column[o - o0] = Elements.get(w, (long) o * in + c);
                }
            }
            for (int r = 0; r < rows; r++) {
                float s = x[xOffset + r * in + c];
                if (!(Math.abs(s) > threshold)) {
                    continue; // not an outlier of this row: quantized with the rest of it
                }
                FloatVector sv = FloatVector.broadcast(F, s);
                int y = outOffset + r * nOut + o0;
                int o = 0;
                for (int bound = F.loopBound(width); o < bound; o += L) {
                    FloatVector.fromArray(F, column, o).fma(sv, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                }
                for (; o < width; o++) {
                    out[y + o] = Math.fma(column[o], s, out[y + o]);
                }
            }
        }
    }
}
