package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Several rows of x against W stored [out, in] ({@code OUT_IN}), each row summed exactly as a
 * one-row product sums it ({@link GemvRows}, in the order {@link Gemv} documents): the decode step
 * of many sequences at once. Each weight row is widened once into this thread's scratch, where it
 * stays in L1 while every row of x is dotted with it, so the weights stream from memory once for
 * all rows.
 *
 * <p>Per output and row: vector {@code v} of the row to accumulator {@code v mod 4} up to the last
 * whole group of four vectors; F32's whole vectors after it to accumulator 0 (16-bit weights: none);
 * {@code (a0 + a1) + (a2 + a3)}, the lanes folded as {@link Simd#sumLanes} does, the rest of the
 * row by scalar FMAs in order. The F16 kernels of {@link GemvRows} multiply x by 2^112 and the
 * weight by 2^-112, exactly, so their products (and sums) equal these of the exactly widened weight.
 */
final class EachRowDots {
    private EachRowDots() {
    }

    /**
     * {@code out[r, o] = dot(W[o, :], x[r, :]) + b[o]} for {@code r < rows} and {@code o} in
     * {@code [o0, o1)}; rows of x are {@code linear.in()} apart, rows of out {@code linear.out()}.
     */
    static void multiply(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int in = linear.in();
        int nOut = linear.out();
        int groupEnd = in - in % (4 * L);
        int vectorEnd = dtype == DType.F32 ? in - in % L : groupEnd;
        long rowBytes = (long) in * dtype.byteSize();
        float[] row = Scratch.get(Scratch.EACH_ROW, in);
        for (int o = o0; o < o1; o++) {
            Widen.widen(dtype, seg, w.byteOffset() + o * rowBytes, row, 0, in);
            int r = 0;
            if (Simd.REGISTERS >= 32) {
                for (; r + 4 <= rows; r += 4) {
                    dot4(out, outOffset + r * nOut + o, nOut, row, x, xOffset + r * in, in, groupEnd, vectorEnd);
                }
            }
            for (; r + 2 <= rows; r += 2) {
                dot2(out, outOffset + r * nOut + o, nOut, row, x, xOffset + r * in, in, groupEnd, vectorEnd);
            }
            for (; r < rows; r++) {
                out[outOffset + r * nOut + o] = dot1(row, x, xOffset + r * in, in, groupEnd, vectorEnd);
            }
        }
        for (int r = 0; r < rows; r++) {
            Gemv.addBias(out, outOffset + r * nOut, linear.bias(), o0, o1);
        }
    }

    /** One row of x dotted with the widened weight row {@code w}. */
    static float dot1(float[] w, float[] x, int xo, int n, int groupEnd, int vectorEnd) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromArray(F, w, i + L).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            a2 = FloatVector.fromArray(F, w, i + 2 * L).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            a3 = FloatVector.fromArray(F, w, i + 3 * L).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
        }
        for (; i < vectorEnd; i += L) {
            a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        float sum = v.add(v.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            sum = Math.fma(w[i], x[xo + i], sum);
        }
        return sum;
    }

    /** Two consecutive rows of x (from {@code xo}, {@code n} apart) into {@code out[y]} and {@code out[y + ldo]}. */
    static void dot2(float[] out, int y, int ldo, float[] w, float[] x, int xo, int n, int groupEnd, int vectorEnd) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        int xb = xo + n;
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
            FloatVector w1 = FloatVector.fromArray(F, w, i + L);
            a1 = w1.fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x, xb + i + L), b1);
            FloatVector w2 = FloatVector.fromArray(F, w, i + 2 * L);
            a2 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            b2 = w2.fma(FloatVector.fromArray(F, x, xb + i + 2 * L), b2);
            FloatVector w3 = FloatVector.fromArray(F, w, i + 3 * L);
            a3 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
            b3 = w3.fma(FloatVector.fromArray(F, x, xb + i + 3 * L), b3);
        }
        for (; i < vectorEnd; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
        }
        FloatVector va = a0.add(a1).add(a2.add(a3));
        FloatVector vb = b0.add(b1).add(b2.add(b3));
        if (L >= 16) {
            va = va.add(va.rearrange(Simd.FOLD_8));
            vb = vb.add(vb.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            va = va.add(va.rearrange(Simd.FOLD_4));
            vb = vb.add(vb.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            va = va.add(va.rearrange(Simd.FOLD_2));
            vb = vb.add(vb.rearrange(Simd.FOLD_2));
        }
        float sa = va.add(va.rearrange(Simd.FOLD_1)).lane(0);
        float sb = vb.add(vb.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            sa = Math.fma(w[i], x[xo + i], sa);
            sb = Math.fma(w[i], x[xb + i], sb);
        }
        out[y] = sa;
        out[y + ldo] = sb;
    }

    /** Four consecutive rows of x into {@code out[y + k·ldo]}, {@code k < 4} (32 vector registers). */
    static void dot4(float[] out, int y, int ldo, float[] w, float[] x, int xo, int n, int groupEnd, int vectorEnd) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector d2 = a0;
        FloatVector d3 = a0;
        int xb = xo + n;
        int xc = xb + n;
        int xd = xc + n;
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x, xc + i), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x, xd + i), d0);
            FloatVector w1 = FloatVector.fromArray(F, w, i + L);
            a1 = w1.fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x, xb + i + L), b1);
            c1 = w1.fma(FloatVector.fromArray(F, x, xc + i + L), c1);
            d1 = w1.fma(FloatVector.fromArray(F, x, xd + i + L), d1);
            FloatVector w2 = FloatVector.fromArray(F, w, i + 2 * L);
            a2 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            b2 = w2.fma(FloatVector.fromArray(F, x, xb + i + 2 * L), b2);
            c2 = w2.fma(FloatVector.fromArray(F, x, xc + i + 2 * L), c2);
            d2 = w2.fma(FloatVector.fromArray(F, x, xd + i + 2 * L), d2);
            FloatVector w3 = FloatVector.fromArray(F, w, i + 3 * L);
            a3 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
            b3 = w3.fma(FloatVector.fromArray(F, x, xb + i + 3 * L), b3);
            c3 = w3.fma(FloatVector.fromArray(F, x, xc + i + 3 * L), c3);
            d3 = w3.fma(FloatVector.fromArray(F, x, xd + i + 3 * L), d3);
        }
        for (; i < vectorEnd; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x, xc + i), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x, xd + i), d0);
        }
        FloatVector va = a0.add(a1).add(a2.add(a3));
        FloatVector vb = b0.add(b1).add(b2.add(b3));
        FloatVector vc = c0.add(c1).add(c2.add(c3));
        FloatVector vd = d0.add(d1).add(d2.add(d3));
        if (L >= 16) {
            va = va.add(va.rearrange(Simd.FOLD_8));
            vb = vb.add(vb.rearrange(Simd.FOLD_8));
            vc = vc.add(vc.rearrange(Simd.FOLD_8));
            vd = vd.add(vd.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            va = va.add(va.rearrange(Simd.FOLD_4));
            vb = vb.add(vb.rearrange(Simd.FOLD_4));
            vc = vc.add(vc.rearrange(Simd.FOLD_4));
            vd = vd.add(vd.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            va = va.add(va.rearrange(Simd.FOLD_2));
            vb = vb.add(vb.rearrange(Simd.FOLD_2));
            vc = vc.add(vc.rearrange(Simd.FOLD_2));
            vd = vd.add(vd.rearrange(Simd.FOLD_2));
        }
        float sa = va.add(va.rearrange(Simd.FOLD_1)).lane(0);
        float sb = vb.add(vb.rearrange(Simd.FOLD_1)).lane(0);
        float sc = vc.add(vc.rearrange(Simd.FOLD_1)).lane(0);
        float sd = vd.add(vd.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float wi = w[i];
            sa = Math.fma(wi, x[xo + i], sa);
            sb = Math.fma(wi, x[xb + i], sb);
            sc = Math.fma(wi, x[xc + i], sc);
            sd = Math.fma(wi, x[xd + i], sd);
        }
        out[y] = sa;
        out[y + ldo] = sb;
        out[y + 2 * ldo] = sc;
        out[y + 3 * ldo] = sd;
    }
}
