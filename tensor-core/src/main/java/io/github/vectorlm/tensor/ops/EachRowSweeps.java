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
 * The kernels of {@link EachRowColumns#sweep}: one to four rows of x against [in, out] weights
 * read straight from the weight, one input row per pass over a block of sums in L1 — the one-row
 * GEMV's column sweep with several rows sharing each weight load. One method per dtype and row
 * count (no vector passes between methods). 16-bit weights are widened in registers, F16 as its
 * bits moved into an F32 times {@link Gemv#F16_REBIAS}: exact for finite weights, which is all
 * this path takes.
 */
final class EachRowSweeps {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private EachRowSweeps() {
    }

    /** 1 row of x, F32 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep1F32(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = FloatVector.fromMemorySegment(F, seg, at + 4L * o, Simd.LE);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
            }
            for (; o < n; o++) {
                float wv = seg.get(F32, at + 4L * o);
                out[y + o] = Math.fma(wv, s0, out[y + o]);
            }
        }
    }

    /** 2 rows of x, F32 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep2F32(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = FloatVector.fromMemorySegment(F, seg, at + 4L * o, Simd.LE);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = seg.get(F32, at + 4L * o);
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
            }
        }
    }

    /** 3 rows of x, F32 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep3F32(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = FloatVector.fromMemorySegment(F, seg, at + 4L * o, Simd.LE);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = seg.get(F32, at + 4L * o);
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
            }
        }
    }

    /** 4 rows of x, F32 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep4F32(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            float s3 = x[xo + 3 * in + k];
            FloatVector b3 = FloatVector.broadcast(F, s3);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = FloatVector.fromMemorySegment(F, seg, at + 4L * o, Simd.LE);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
                w.fma(b3, FloatVector.fromArray(F, out, y + 3 * ldo + o)).intoArray(out, y + 3 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = seg.get(F32, at + 4L * o);
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
                out[y + 3 * ldo + o] = Math.fma(wv, s3, out[y + 3 * ldo + o]);
            }
        }
    }

    /** 1 row of x, BF16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep1Bf16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats();
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
            }
            for (; o < n; o++) {
                float wv = DType.bf16ToF32(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
            }
        }
    }

    /** 2 rows of x, BF16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep2Bf16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats();
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = DType.bf16ToF32(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
            }
        }
    }

    /** 3 rows of x, BF16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep3Bf16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats();
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = DType.bf16ToF32(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
            }
        }
    }

    /** 4 rows of x, BF16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep4Bf16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            float s3 = x[xo + 3 * in + k];
            FloatVector b3 = FloatVector.broadcast(F, s3);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats();
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
                w.fma(b3, FloatVector.fromArray(F, out, y + 3 * ldo + o)).intoArray(out, y + 3 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = DType.bf16ToF32(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
                out[y + 3 * ldo + o] = Math.fma(wv, s3, out[y + 3 * ldo + o]);
            }
        }
    }

    /** 1 row of x, F16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep1F16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
            }
            for (; o < n; o++) {
                float wv = Float.float16ToFloat(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
            }
        }
    }

    /** 2 rows of x, F16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep2F16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = Float.float16ToFloat(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
            }
        }
    }

    /** 3 rows of x, F16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep3F16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = Float.float16ToFloat(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
            }
        }
    }

    /** 4 rows of x, F16 weights: input rows [k0, k1) into the sums of outputs [0, n) from {@code y} (rows {@code ldo} apart). */
    static void sweep4F16(float[] out, int y, int ldo, float[] x, int xo, int in, MemorySegment seg, long at,
            long rowBytes, int k0, int k1, int n) {
        int bound = n - n % L;
        for (int k = k0; k < k1; k++, at += rowBytes) {
            float s0 = x[xo + k];
            FloatVector b0 = FloatVector.broadcast(F, s0);
            float s1 = x[xo + 1 * in + k];
            FloatVector b1 = FloatVector.broadcast(F, s1);
            float s2 = x[xo + 2 * in + k];
            FloatVector b2 = FloatVector.broadcast(F, s2);
            float s3 = x[xo + 3 * in + k];
            FloatVector b3 = FloatVector.broadcast(F, s3);
            int o = 0;
            for (; o < bound; o += L) {
                FloatVector w = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2L * o, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .and(0x8fffe000).reinterpretAsFloats().mul(Gemv.F16_REBIAS);
                w.fma(b0, FloatVector.fromArray(F, out, y + o)).intoArray(out, y + o);
                w.fma(b1, FloatVector.fromArray(F, out, y + 1 * ldo + o)).intoArray(out, y + 1 * ldo + o);
                w.fma(b2, FloatVector.fromArray(F, out, y + 2 * ldo + o)).intoArray(out, y + 2 * ldo + o);
                w.fma(b3, FloatVector.fromArray(F, out, y + 3 * ldo + o)).intoArray(out, y + 3 * ldo + o);
            }
            for (; o < n; o++) {
                float wv = Float.float16ToFloat(seg.get(I16, at + 2L * o));
                out[y + o] = Math.fma(wv, s0, out[y + o]);
                out[y + 1 * ldo + o] = Math.fma(wv, s1, out[y + 1 * ldo + o]);
                out[y + 2 * ldo + o] = Math.fma(wv, s2, out[y + 2 * ldo + o]);
                out[y + 3 * ldo + o] = Math.fma(wv, s3, out[y + 3 * ldo + o]);
            }
        }
    }
}
