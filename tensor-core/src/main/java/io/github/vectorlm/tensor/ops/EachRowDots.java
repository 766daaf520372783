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
 * of many sequences at once. A few weight rows at a time are widened into this thread's scratch,
 * where they stay in L1 while every row of x is dotted with them, so the weights stream from memory
 * once for all rows. A tile of 4 weight rows (2 with 16 vector registers) × 4 rows of x runs the
 * four accumulator chains of the order below one after another, so that its pairs share every
 * load of a weight or an x vector.
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
        boolean wide = Simd.REGISTERS >= 32;
        // Pythia-160M, 1 thread, Zen 5 (bench --parallel): f16 2 and 4 sequences 79/120 tokens/s tiled,
        // 89/140 direct; f32 4 sequences 92 tiled, 70 direct (2 sequences 56 direct)
        if (rows <= (dtype == DType.F32 ? 2 : wide ? 4 : 2) && (dtype != DType.F16 || linear.f16Finite())) {
            direct(out, outOffset, x, xOffset, rows, linear, o0, o1);
            return;
        }
        int tileOutputs = wide ? 4 : 2;
        int tileRows = 4;
        float[] wrows = Scratch.get(Scratch.EACH_ROW, tileOutputs * in);
        float[] chains = Scratch.get(Scratch.CHAINS, 4 * tileOutputs * tileRows * L);
        int o = o0;
        if (rows >= tileRows) {
            for (; o + tileOutputs <= o1; o += tileOutputs) {
                Widen.widen(dtype, seg, w.byteOffset() + o * rowBytes, wrows, 0, tileOutputs * in);
                int r = 0;
                for (; r + tileRows <= rows; r += tileRows) {
                    int y = outOffset + r * nOut + o;
                    int xo = xOffset + r * in;
                    if (wide) {
                        tile4x4(out, y, nOut, wrows, 0, x, xo, in, groupEnd, vectorEnd, chains);
                    } else {
                        tile2x4(out, y, nOut, wrows, 0, x, xo, in, groupEnd, vectorEnd, chains);
                    }
                }
                for (; r < rows; r++) {
                    for (int t = 0; t < tileOutputs; t++) {
                        out[outOffset + r * nOut + o + t] = dot1(wrows, t * in, x, xOffset + r * in, in, groupEnd,
                                vectorEnd);
                    }
                }
            }
        }
        float[] row = wrows;
        for (; o < o1; o++) {
            Widen.widen(dtype, seg, w.byteOffset() + o * rowBytes, row, 0, in);
            int r = 0;
            if (wide) {
                for (; r + 4 <= rows; r += 4) {
                    dot4(out, outOffset + r * nOut + o, nOut, row, 0, x, xOffset + r * in, in, groupEnd, vectorEnd);
                }
            }
            for (; r + 2 <= rows; r += 2) {
                dot2(out, outOffset + r * nOut + o, nOut, row, 0, x, xOffset + r * in, in, groupEnd, vectorEnd);
            }
            for (; r < rows; r++) {
                out[outOffset + r * nOut + o] = dot1(row, 0, x, xOffset + r * in, in, groupEnd, vectorEnd);
            }
        }
        for (int r = 0; r < rows; r++) {
            Gemv.addBias(out, outOffset + r * nOut, linear.bias(), o0, o1);
        }
    }

    /**
     * A few rows (16-bit weights up to 4, 2 with 16 registers; F32 up to 2): each weight row read straight from the
     * mapping and dotted with every row of x ({@link EachRowDotKernels}), then the bias.
     */
    private static void direct(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int o0,
            int o1) {
        Tensor w = linear.weight();
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int in = linear.in();
        int nOut = linear.out();
        long rowBytes = (long) in * dtype.byteSize();
        long row = w.byteOffset() + o0 * rowBytes;
        for (int o = o0; o < o1; o++, row += rowBytes) {
            int y = outOffset + o;
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                switch (dtype) {
                    case F32 -> EachRowDotKernels.dot4F32(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case BF16 -> EachRowDotKernels.dot4Bf16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case F16 -> EachRowDotKernels.dot4F16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    default -> throw new IllegalArgumentException("unsupported weight " + w);
                }
            }
            for (; r + 2 <= rows; r += 2) {
                switch (dtype) {
                    case F32 -> EachRowDotKernels.dot2F32(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case BF16 -> EachRowDotKernels.dot2Bf16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case F16 -> EachRowDotKernels.dot2F16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    default -> throw new IllegalArgumentException("unsupported weight " + w);
                }
            }
            for (; r < rows; r++) {
                switch (dtype) {
                    case F32 -> EachRowDotKernels.dot1F32(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case BF16 -> EachRowDotKernels.dot1Bf16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    case F16 -> EachRowDotKernels.dot1F16(out, y + r * nOut, nOut, x, xOffset + r * in, in, seg, row);
                    default -> throw new IllegalArgumentException("unsupported weight " + w);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            Gemv.addBias(out, outOffset + r * nOut, linear.bias(), o0, o1);
        }
    }

    /** One row of x dotted with the widened weight row {@code w}. */
    static float dot1(float[] w, int wo, float[] x, int xo, int n, int groupEnd, int vectorEnd) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            a0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromArray(F, w, wo + i + L).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            a2 = FloatVector.fromArray(F, w, wo + i + 2 * L).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            a3 = FloatVector.fromArray(F, w, wo + i + 3 * L).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
        }
        for (; i < vectorEnd; i += L) {
            a0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), a0);
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
            sum = Math.fma(w[wo + i], x[xo + i], sum);
        }
        return sum;
    }

    /** Two consecutive rows of x (from {@code xo}, {@code n} apart) into {@code out[y]} and {@code out[y + ldo]}. */
    static void dot2(float[] out, int y, int ldo, float[] w, int wo, float[] x, int xo, int n, int groupEnd,
            int vectorEnd) {
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
            FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + i + L);
            a1 = w1.fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x, xb + i + L), b1);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + i + 2 * L);
            a2 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            b2 = w2.fma(FloatVector.fromArray(F, x, xb + i + 2 * L), b2);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + i + 3 * L);
            a3 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
            b3 = w3.fma(FloatVector.fromArray(F, x, xb + i + 3 * L), b3);
        }
        for (; i < vectorEnd; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
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
            sa = Math.fma(w[wo + i], x[xo + i], sa);
            sb = Math.fma(w[wo + i], x[xb + i], sb);
        }
        out[y] = sa;
        out[y + ldo] = sb;
    }

    /** Four consecutive rows of x into {@code out[y + k·ldo]}, {@code k < 4} (32 vector registers). */
    static void dot4(float[] out, int y, int ldo, float[] w, int wo, float[] x, int xo, int n, int groupEnd,
            int vectorEnd) {
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
            FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
            a0 = w0.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = w0.fma(FloatVector.fromArray(F, x, xb + i), b0);
            c0 = w0.fma(FloatVector.fromArray(F, x, xc + i), c0);
            d0 = w0.fma(FloatVector.fromArray(F, x, xd + i), d0);
            FloatVector w1 = FloatVector.fromArray(F, w, wo + i + L);
            a1 = w1.fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x, xb + i + L), b1);
            c1 = w1.fma(FloatVector.fromArray(F, x, xc + i + L), c1);
            d1 = w1.fma(FloatVector.fromArray(F, x, xd + i + L), d1);
            FloatVector w2 = FloatVector.fromArray(F, w, wo + i + 2 * L);
            a2 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            b2 = w2.fma(FloatVector.fromArray(F, x, xb + i + 2 * L), b2);
            c2 = w2.fma(FloatVector.fromArray(F, x, xc + i + 2 * L), c2);
            d2 = w2.fma(FloatVector.fromArray(F, x, xd + i + 2 * L), d2);
            FloatVector w3 = FloatVector.fromArray(F, w, wo + i + 3 * L);
            a3 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
            b3 = w3.fma(FloatVector.fromArray(F, x, xb + i + 3 * L), b3);
            c3 = w3.fma(FloatVector.fromArray(F, x, xc + i + 3 * L), c3);
            d3 = w3.fma(FloatVector.fromArray(F, x, xd + i + 3 * L), d3);
        }
        for (; i < vectorEnd; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
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
            float wi = w[wo + i];
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

    /**
     * 4 weight rows (from {@code wo} in {@code w}, {@code n} apart) × 4 rows of x: each of the four
     * accumulator chains of the one-row order in turn, 16 of them in registers, each kept in
     * {@code chains}; then per pair (a0 + a1) + (a2 + a3), the lane folds and the scalar rest.
     */
    static void tile4x4(float[] out, int y, int ldo, float[] w, int wo, float[] x, int xo, int n, int groupEnd,
            int vectorEnd, float[] chains) {
        for (int c = 0; c < 4; c++) {
            FloatVector a00 = FloatVector.zero(F);
            FloatVector a01 = FloatVector.zero(F);
            FloatVector a02 = FloatVector.zero(F);
            FloatVector a03 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F);
            FloatVector a11 = FloatVector.zero(F);
            FloatVector a12 = FloatVector.zero(F);
            FloatVector a13 = FloatVector.zero(F);
            FloatVector a20 = FloatVector.zero(F);
            FloatVector a21 = FloatVector.zero(F);
            FloatVector a22 = FloatVector.zero(F);
            FloatVector a23 = FloatVector.zero(F);
            FloatVector a30 = FloatVector.zero(F);
            FloatVector a31 = FloatVector.zero(F);
            FloatVector a32 = FloatVector.zero(F);
            FloatVector a33 = FloatVector.zero(F);
            int i = c * L;
            for (; i < groupEnd; i += 4 * L) {
                FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
                FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * n + i);
                FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * n + i);
                FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * n + i);
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
                FloatVector x1 = FloatVector.fromArray(F, x, xo + 1 * n + i);
                FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * n + i);
                FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * n + i);
                a00 = w0.fma(x0, a00);
                a01 = w0.fma(x1, a01);
                a02 = w0.fma(x2, a02);
                a03 = w0.fma(x3, a03);
                a10 = w1.fma(x0, a10);
                a11 = w1.fma(x1, a11);
                a12 = w1.fma(x2, a12);
                a13 = w1.fma(x3, a13);
                a20 = w2.fma(x0, a20);
                a21 = w2.fma(x1, a21);
                a22 = w2.fma(x2, a22);
                a23 = w2.fma(x3, a23);
                a30 = w3.fma(x0, a30);
                a31 = w3.fma(x1, a31);
                a32 = w3.fma(x2, a32);
                a33 = w3.fma(x3, a33);
            }
            if (c == 0) { // F32: the whole vectors after the last group of four go to chain 0
                for (i = groupEnd; i < vectorEnd; i += L) {
                    FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
                    FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * n + i);
                    FloatVector w2 = FloatVector.fromArray(F, w, wo + 2 * n + i);
                    FloatVector w3 = FloatVector.fromArray(F, w, wo + 3 * n + i);
                    FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
                    FloatVector x1 = FloatVector.fromArray(F, x, xo + 1 * n + i);
                    FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * n + i);
                    FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * n + i);
                    a00 = w0.fma(x0, a00);
                    a01 = w0.fma(x1, a01);
                    a02 = w0.fma(x2, a02);
                    a03 = w0.fma(x3, a03);
                    a10 = w1.fma(x0, a10);
                    a11 = w1.fma(x1, a11);
                    a12 = w1.fma(x2, a12);
                    a13 = w1.fma(x3, a13);
                    a20 = w2.fma(x0, a20);
                    a21 = w2.fma(x1, a21);
                    a22 = w2.fma(x2, a22);
                    a23 = w2.fma(x3, a23);
                    a30 = w3.fma(x0, a30);
                    a31 = w3.fma(x1, a31);
                    a32 = w3.fma(x2, a32);
                    a33 = w3.fma(x3, a33);
                }
            }
            a00.intoArray(chains, (c * 16 + 0) * L);
            a01.intoArray(chains, (c * 16 + 1) * L);
            a02.intoArray(chains, (c * 16 + 2) * L);
            a03.intoArray(chains, (c * 16 + 3) * L);
            a10.intoArray(chains, (c * 16 + 4) * L);
            a11.intoArray(chains, (c * 16 + 5) * L);
            a12.intoArray(chains, (c * 16 + 6) * L);
            a13.intoArray(chains, (c * 16 + 7) * L);
            a20.intoArray(chains, (c * 16 + 8) * L);
            a21.intoArray(chains, (c * 16 + 9) * L);
            a22.intoArray(chains, (c * 16 + 10) * L);
            a23.intoArray(chains, (c * 16 + 11) * L);
            a30.intoArray(chains, (c * 16 + 12) * L);
            a31.intoArray(chains, (c * 16 + 13) * L);
            a32.intoArray(chains, (c * 16 + 14) * L);
            a33.intoArray(chains, (c * 16 + 15) * L);
        }
        for (int p = 0; p < 16; p++) {
            int o = p / 4;
            int r = p % 4;
            FloatVector v = FloatVector.fromArray(F, chains, p * L).add(FloatVector.fromArray(F, chains, (16 + p) * L))
                    .add(FloatVector.fromArray(F, chains, (32 + p) * L)
                            .add(FloatVector.fromArray(F, chains, (48 + p) * L)));
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
            int wr = wo + o * n;
            int xr = xo + r * n;
            for (int i = vectorEnd; i < n; i++) {
                sum = Math.fma(w[wr + i], x[xr + i], sum);
            }
            out[y + r * ldo + o] = sum;
        }
    }

    /**
     * 2 weight rows (from {@code wo} in {@code w}, {@code n} apart) × 4 rows of x: each of the four
     * accumulator chains of the one-row order in turn, 8 of them in registers, each kept in
     * {@code chains}; then per pair (a0 + a1) + (a2 + a3), the lane folds and the scalar rest.
     */
    static void tile2x4(float[] out, int y, int ldo, float[] w, int wo, float[] x, int xo, int n, int groupEnd,
            int vectorEnd, float[] chains) {
        for (int c = 0; c < 4; c++) {
            FloatVector a00 = FloatVector.zero(F);
            FloatVector a01 = FloatVector.zero(F);
            FloatVector a02 = FloatVector.zero(F);
            FloatVector a03 = FloatVector.zero(F);
            FloatVector a10 = FloatVector.zero(F);
            FloatVector a11 = FloatVector.zero(F);
            FloatVector a12 = FloatVector.zero(F);
            FloatVector a13 = FloatVector.zero(F);
            int i = c * L;
            for (; i < groupEnd; i += 4 * L) {
                FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
                FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * n + i);
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
                FloatVector x1 = FloatVector.fromArray(F, x, xo + 1 * n + i);
                FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * n + i);
                FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * n + i);
                a00 = w0.fma(x0, a00);
                a01 = w0.fma(x1, a01);
                a02 = w0.fma(x2, a02);
                a03 = w0.fma(x3, a03);
                a10 = w1.fma(x0, a10);
                a11 = w1.fma(x1, a11);
                a12 = w1.fma(x2, a12);
                a13 = w1.fma(x3, a13);
            }
            if (c == 0) { // F32: the whole vectors after the last group of four go to chain 0
                for (i = groupEnd; i < vectorEnd; i += L) {
                    FloatVector w0 = FloatVector.fromArray(F, w, wo + i);
                    FloatVector w1 = FloatVector.fromArray(F, w, wo + 1 * n + i);
                    FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
                    FloatVector x1 = FloatVector.fromArray(F, x, xo + 1 * n + i);
                    FloatVector x2 = FloatVector.fromArray(F, x, xo + 2 * n + i);
                    FloatVector x3 = FloatVector.fromArray(F, x, xo + 3 * n + i);
                    a00 = w0.fma(x0, a00);
                    a01 = w0.fma(x1, a01);
                    a02 = w0.fma(x2, a02);
                    a03 = w0.fma(x3, a03);
                    a10 = w1.fma(x0, a10);
                    a11 = w1.fma(x1, a11);
                    a12 = w1.fma(x2, a12);
                    a13 = w1.fma(x3, a13);
                }
            }
            a00.intoArray(chains, (c * 8 + 0) * L);
            a01.intoArray(chains, (c * 8 + 1) * L);
            a02.intoArray(chains, (c * 8 + 2) * L);
            a03.intoArray(chains, (c * 8 + 3) * L);
            a10.intoArray(chains, (c * 8 + 4) * L);
            a11.intoArray(chains, (c * 8 + 5) * L);
            a12.intoArray(chains, (c * 8 + 6) * L);
            a13.intoArray(chains, (c * 8 + 7) * L);
        }
        for (int p = 0; p < 8; p++) {
            int o = p / 4;
            int r = p % 4;
            FloatVector v = FloatVector.fromArray(F, chains, p * L).add(FloatVector.fromArray(F, chains, (8 + p) * L))
                    .add(FloatVector.fromArray(F, chains, (16 + p) * L)
                            .add(FloatVector.fromArray(F, chains, (24 + p) * L)));
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
            int wr = wo + o * n;
            int xr = xo + r * n;
            for (int i = vectorEnd; i < n; i++) {
                sum = Math.fma(w[wr + i], x[xr + i], sum);
            }
            out[y + r * ldo + o] = sum;
        }
    }
}
