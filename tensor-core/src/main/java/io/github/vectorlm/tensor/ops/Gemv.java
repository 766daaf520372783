package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * One input row times a weight matrix: the decode step. Memory-bound, so the weights stream once,
 * in memory order, through an L1-sized scratch where they are widened to f32 ({@link Widen});
 * the input row and the outputs being summed stay in L1.
 *
 * <p>Arithmetic, which the thread split never changes:
 * <ul>
 *   <li>OUT_IN (dot products): output {@code o} sums its row in four vector accumulators (vector
 *       {@code v} of the row goes to accumulator {@code v mod 4}), combined as (a0+a1)+(a2+a3),
 *       lanes summed in a fixed tree, the input tail added by scalar FMAs, then the bias;
 *   <li>IN_OUT (rows of axpy): output {@code o} is one FMA chain over {@code i} in order, starting
 *       from 0, then the bias — the same arithmetic as {@link Gemm}.
 * </ul>
 */
final class Gemv {
    /** Weights widened per step: 16 KB of f32, half of L1. */
    static final int WIDEN_FLOATS = 4096;
    /** Input rows folded into the output block per pass in the IN_OUT kernel. */
    private static final int IN_OUT_ROWS = 4;
    /** Output columns per IN_OUT block: four widened rows of it fill {@link #WIDEN_FLOATS}. */
    private static final int IN_OUT_BLOCK = WIDEN_FLOATS / IN_OUT_ROWS;

    private Gemv() {
    }

    /** {@code out[o] = dot(W[o, :], x) + b[o]} for {@code o} in {@code [o0, o1)}, W stored [out, in]. */
    static void outIn(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        long rowBytes = (long) linear.in() * dtype.byteSize();
        int in = linear.in();
        int rowsPerStep = Math.max(1, WIDEN_FLOATS / in);
        float[] rows = Scratch.get(Scratch.WEIGHTS, rowsPerStep * in);
        for (int o = o0; o < o1; o += rowsPerStep) {
            int count = Math.min(rowsPerStep, o1 - o);
            Widen.widen(dtype, seg, w.byteOffset() + o * rowBytes, rows, 0, count * in);
            for (int r = 0; r < count; r++) {
                out[outOffset + o + r] = dot(x, xOffset, rows, r * in, in);
            }
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    /** The OUT_IN arithmetic of one output (see the class comment). */
    static float dot(float[] x, int xOffset, float[] w, int wOffset, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
            a0 = FloatVector.fromArray(F, w, wOffset + i).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
            a1 = FloatVector.fromArray(F, w, wOffset + i + L).fma(FloatVector.fromArray(F, x, xOffset + i + L), a1);
            a2 = FloatVector.fromArray(F, w, wOffset + i + 2 * L)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + 2 * L), a2);
            a3 = FloatVector.fromArray(F, w, wOffset + i + 3 * L)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + 3 * L), a3);
        }
        for (; i + L <= n; i += L) {
            a0 = FloatVector.fromArray(F, w, wOffset + i).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
        }
        float sum = Simd.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            sum = Math.fma(w[wOffset + i], x[xOffset + i], sum);
        }
        return sum;
    }

    /** {@code out[o] = Σ_i x[i]·W[i, o] + b[o]} for {@code o} in {@code [o0, o1)}, W stored [in, out]. */
    static void inOut(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int size = dtype.byteSize();
        int in = linear.in();
        long rowBytes = (long) linear.out() * size;
        float[] rows = Scratch.get(Scratch.WEIGHTS, IN_OUT_ROWS * IN_OUT_BLOCK);
        for (int c0 = o0; c0 < o1; c0 += IN_OUT_BLOCK) {
            int width = Math.min(IN_OUT_BLOCK, o1 - c0);
            int y = outOffset + c0;
            Arrays.fill(out, y, y + width, 0f);
            long column = w.byteOffset() + (long) c0 * size;
            int i = 0;
            for (; i + IN_OUT_ROWS <= in; i += IN_OUT_ROWS) {
                for (int r = 0; r < IN_OUT_ROWS; r++) {
                    Widen.widen(dtype, seg, column + (i + r) * rowBytes, rows, r * IN_OUT_BLOCK, width);
                }
                axpy4(out, y, rows, x, xOffset + i, width);
            }
            for (; i < in; i++) {
                Widen.widen(dtype, seg, column + i * rowBytes, rows, 0, width);
                axpy1(out, y, rows, x[xOffset + i], width);
            }
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    /** {@code y[c] = fma(w3[c], x3, fma(w2[c], x2, fma(w1[c], x1, fma(w0[c], x0, y[c]))))}: rows at stride IN_OUT_BLOCK. */
    private static void axpy4(float[] y, int yOffset, float[] w, float[] x, int xi, int n) {
        float s0 = x[xi];
        float s1 = x[xi + 1];
        float s2 = x[xi + 2];
        float s3 = x[xi + 3];
        FloatVector x0 = FloatVector.broadcast(F, s0);
        FloatVector x1 = FloatVector.broadcast(F, s1);
        FloatVector x2 = FloatVector.broadcast(F, s2);
        FloatVector x3 = FloatVector.broadcast(F, s3);
        int r1 = IN_OUT_BLOCK;
        int r2 = 2 * IN_OUT_BLOCK;
        int r3 = 3 * IN_OUT_BLOCK;
        int c = 0;
        for (int bound = F.loopBound(n); c < bound; c += L) {
            FloatVector acc = FloatVector.fromArray(F, y, yOffset + c);
            acc = FloatVector.fromArray(F, w, c).fma(x0, acc);
            acc = FloatVector.fromArray(F, w, r1 + c).fma(x1, acc);
            acc = FloatVector.fromArray(F, w, r2 + c).fma(x2, acc);
            acc = FloatVector.fromArray(F, w, r3 + c).fma(x3, acc);
            acc.intoArray(y, yOffset + c);
        }
        for (; c < n; c++) {
            float acc = y[yOffset + c];
            acc = Math.fma(w[c], s0, acc);
            acc = Math.fma(w[r1 + c], s1, acc);
            acc = Math.fma(w[r2 + c], s2, acc);
            acc = Math.fma(w[r3 + c], s3, acc);
            y[yOffset + c] = acc;
        }
    }

    private static void axpy1(float[] y, int yOffset, float[] w, float s, int n) {
        FloatVector xv = FloatVector.broadcast(F, s);
        int c = 0;
        for (int bound = F.loopBound(n); c < bound; c += L) {
            FloatVector.fromArray(F, w, c).fma(xv, FloatVector.fromArray(F, y, yOffset + c)).intoArray(y, yOffset + c);
        }
        for (; c < n; c++) {
            y[yOffset + c] = Math.fma(w[c], s, y[yOffset + c]);
        }
    }

    /** {@code out[o] += b[o]} for {@code o} in {@code [o0, o1)}; nothing when there is no bias. */
    static void addBias(float[] out, int outOffset, Tensor bias, int o0, int o1) {
        if (bias == null || o1 <= o0) {
            return;
        }
        Widen.addTensor(out, outOffset + o0, bias, o0, o1 - o0, Scratch.get(Scratch.PARAMS, o1 - o0));
    }
}
