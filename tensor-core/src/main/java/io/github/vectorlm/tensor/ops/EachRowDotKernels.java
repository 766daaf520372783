package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The kernels of {@link EachRowDots} for a few rows: one [out, in] weight row read straight from
 * the mapping (16-bit widened in registers; F16 as its bits moved into an F32 times
 * {@link Gemv#F16_REBIAS}, exact for finite weights, which is all this path takes) and dotted
 * with 1, 2 or 4 rows of x, each in the one-row order {@link Gemv} documents: vector {@code v}
 * to accumulator {@code v mod 4} up to the last whole group of four (F32: its whole vectors after
 * it to accumulator 0), {@code (a0 + a1) + (a2 + a3)}, the lane folds, the rest by scalar FMAs.
 * One method per dtype and row count.
 */
final class EachRowDotKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private EachRowDotKernels() {
    }

    /** One F32 weight row from byte {@code row} dotted with 1 row of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot1F32(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 1 * L), Simd.LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 2 * L), Simd.LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 3 * L), Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
        }
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = seg.get(F32, row + 4L * i);
            s0 = Math.fma(w, x[xo + i], s0);
        }
        out[y] = s0;
    }

    /** One F32 weight row from byte {@code row} dotted with 2 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot2F32(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 1 * L), Simd.LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 2 * L), Simd.LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 3 * L), Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
        }
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = seg.get(F32, row + 4L * i);
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
    }

    /** One F32 weight row from byte {@code row} dotted with 4 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot4F32(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
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
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 1 * L), Simd.LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 2 * L), Simd.LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, seg, row + 4L * (i + 3 * L), Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
            a20 = w0.fma(FloatVector.fromArray(F, x, xo + 2 * n + i), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 1 * L), a21);
            a22 = w2.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 2 * L), a22);
            a23 = w3.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 3 * L), a23);
            a30 = w0.fma(FloatVector.fromArray(F, x, xo + 3 * n + i), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 1 * L), a31);
            a32 = w2.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 2 * L), a32);
            a33 = w3.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 3 * L), a33);
        }
        for (; i + L <= n; i += L) {
            FloatVector w0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a20 = w0.fma(FloatVector.fromArray(F, x, xo + 2 * n + i), a20);
            a30 = w0.fma(FloatVector.fromArray(F, x, xo + 3 * n + i), a30);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        FloatVector v2 = a20.add(a21).add(a22.add(a23));
        FloatVector v3 = a30.add(a31).add(a32.add(a33));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
            v2 = v2.add(v2.rearrange(Simd.FOLD_8));
            v3 = v3.add(v3.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
            v2 = v2.add(v2.rearrange(Simd.FOLD_4));
            v3 = v3.add(v3.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
            v2 = v2.add(v2.rearrange(Simd.FOLD_2));
            v3 = v3.add(v3.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        float s2 = v2.add(v2.rearrange(Simd.FOLD_1)).lane(0);
        float s3 = v3.add(v3.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = seg.get(F32, row + 4L * i);
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
            s2 = Math.fma(w, x[xo + 2 * n + i], s2);
            s3 = Math.fma(w, x[xo + 3 * n + i], s3);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
        out[y + 2 * ldo] = s2;
        out[y + 3 * ldo] = s3;
    }

    /** One BF16 weight row from byte {@code row} dotted with 1 row of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot1Bf16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = DType.bf16ToF32(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
        }
        out[y] = s0;
    }

    /** One BF16 weight row from byte {@code row} dotted with 2 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot2Bf16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = DType.bf16ToF32(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
    }

    /** One BF16 weight row from byte {@code row} dotted with 4 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot4Bf16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
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
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
            a20 = w0.fma(FloatVector.fromArray(F, x, xo + 2 * n + i), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 1 * L), a21);
            a22 = w2.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 2 * L), a22);
            a23 = w3.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 3 * L), a23);
            a30 = w0.fma(FloatVector.fromArray(F, x, xo + 3 * n + i), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 1 * L), a31);
            a32 = w2.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 2 * L), a32);
            a33 = w3.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 3 * L), a33);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        FloatVector v2 = a20.add(a21).add(a22.add(a23));
        FloatVector v3 = a30.add(a31).add(a32.add(a33));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
            v2 = v2.add(v2.rearrange(Simd.FOLD_8));
            v3 = v3.add(v3.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
            v2 = v2.add(v2.rearrange(Simd.FOLD_4));
            v3 = v3.add(v3.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
            v2 = v2.add(v2.rearrange(Simd.FOLD_2));
            v3 = v3.add(v3.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        float s2 = v2.add(v2.rearrange(Simd.FOLD_1)).lane(0);
        float s3 = v3.add(v3.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = DType.bf16ToF32(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
            s2 = Math.fma(w, x[xo + 2 * n + i], s2);
            s3 = Math.fma(w, x[xo + 3 * n + i], s3);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
        out[y + 2 * ldo] = s2;
        out[y + 3 * ldo] = s3;
    }

    /** One F16 weight row from byte {@code row} dotted with 1 row of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot1F16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = Float.float16ToFloat(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
        }
        out[y] = s0;
    }

    /** One F16 weight row from byte {@code row} dotted with 2 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot2F16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = Float.float16ToFloat(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
    }

    /** One F16 weight row from byte {@code row} dotted with 4 rows of x ({@code n} apart) into {@code out[y + r·ldo]}. */
    static void dot4F16(float[] out, int y, int ldo, float[] x, int xo, int n, MemorySegment seg, long row) {
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
        int groupEnd = n - n % (4 * L);
        int i = 0;
        for (; i < groupEnd; i += 4 * L) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 1 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 2 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * (i + 3 * L), Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
            a00 = w0.fma(FloatVector.fromArray(F, x, xo + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, xo + i + 1 * L), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, xo + 1 * n + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 1 * L), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 2 * L), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, xo + 1 * n + i + 3 * L), a13);
            a20 = w0.fma(FloatVector.fromArray(F, x, xo + 2 * n + i), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 1 * L), a21);
            a22 = w2.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 2 * L), a22);
            a23 = w3.fma(FloatVector.fromArray(F, x, xo + 2 * n + i + 3 * L), a23);
            a30 = w0.fma(FloatVector.fromArray(F, x, xo + 3 * n + i), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 1 * L), a31);
            a32 = w2.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 2 * L), a32);
            a33 = w3.fma(FloatVector.fromArray(F, x, xo + 3 * n + i + 3 * L), a33);
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03));
        FloatVector v1 = a10.add(a11).add(a12.add(a13));
        FloatVector v2 = a20.add(a21).add(a22.add(a23));
        FloatVector v3 = a30.add(a31).add(a32.add(a33));
        if (L >= 16) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_8));
            v1 = v1.add(v1.rearrange(Simd.FOLD_8));
            v2 = v2.add(v2.rearrange(Simd.FOLD_8));
            v3 = v3.add(v3.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_4));
            v1 = v1.add(v1.rearrange(Simd.FOLD_4));
            v2 = v2.add(v2.rearrange(Simd.FOLD_4));
            v3 = v3.add(v3.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v0 = v0.add(v0.rearrange(Simd.FOLD_2));
            v1 = v1.add(v1.rearrange(Simd.FOLD_2));
            v2 = v2.add(v2.rearrange(Simd.FOLD_2));
            v3 = v3.add(v3.rearrange(Simd.FOLD_2));
        }
        float s0 = v0.add(v0.rearrange(Simd.FOLD_1)).lane(0);
        float s1 = v1.add(v1.rearrange(Simd.FOLD_1)).lane(0);
        float s2 = v2.add(v2.rearrange(Simd.FOLD_1)).lane(0);
        float s3 = v3.add(v3.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float w = Float.float16ToFloat(seg.get(I16, row + 2L * i));
            s0 = Math.fma(w, x[xo + i], s0);
            s1 = Math.fma(w, x[xo + 1 * n + i], s1);
            s2 = Math.fma(w, x[xo + 2 * n + i], s2);
            s3 = Math.fma(w, x[xo + 3 * n + i], s3);
        }
        out[y] = s0;
        out[y + 1 * ldo] = s1;
        out[y + 2 * ldo] = s2;
        out[y + 3 * ldo] = s3;
    }
}
