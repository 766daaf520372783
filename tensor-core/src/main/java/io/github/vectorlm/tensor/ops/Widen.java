package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The one place weights are read from their segments: runs of F32/F16/BF16 elements widened into a
 * float array (an L1-sized scratch, a packed GEMM panel, an output row). Every kernel then works
 * on float arrays only.
 *
 * <p>Why not widen in the kernels' registers: C2 stops inlining once a method's graph grows past
 * a fixed node budget, and a kernel that has three dtype variants of Vector API code in one
 * method, or four in-register F16 conversions, runs past it — the calls left behind box every
 * vector on the heap and run ten times slower. Here each dtype is its own small method with its
 * own loop, and a kernel calls one of them with plain arguments.
 */
final class Widen {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Widen() {
    }

    /** {@code dst[dstOffset + i] = element i} for {@code i < n} of {@code dtype} data at {@code byteOffset}. */
    static void widen(DType dtype, MemorySegment segment, long byteOffset, float[] dst, int dstOffset, int n) {
        switch (dtype) {
            case F32 -> f32(segment, byteOffset, dst, dstOffset, n);
            case BF16 -> bf16(segment, byteOffset, dst, dstOffset, n);
            case F16 -> f16(segment, byteOffset, dst, dstOffset, n);
            case I8 -> i8(segment, byteOffset, dst, dstOffset, n);
            default -> throw new IllegalArgumentException("not a float weight type: " + dtype);
        }
    }

    /** Elements {@code [index, index + n)} of a contiguous F32/F16/BF16 tensor, widened into {@code dst}. */
    static void tensor(Tensor t, long index, float[] dst, int dstOffset, int n) {
        widen(t.dtype(), t.segment(), t.byteOffset() + index * t.dtype().byteSize(), dst, dstOffset, n);
    }

    /** F32: a copy (a plain memory copy on a little-endian machine). */
    static void f32(MemorySegment segment, long byteOffset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(segment, F32, byteOffset, dst, dstOffset, n);
    }

    /**
     * BF16: each element is the top half of an F32 — sign-extend to 32 bits and shift left by 16.
     * Spelled out here rather than calling a vector-returning helper: whether C2 inlines one
     * depends on what was compiled first, and when it did not, the GEMM packing that calls this
     * boxed every vector (seen as an intermittent failure of SteadyStateAllocationTest).
     */
    static void bf16(MemorySegment segment, long byteOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            ShortVector h = ShortVector.fromMemorySegment(Simd.S, segment, byteOffset + 2L * i, Simd.LE);
            ((IntVector) h.convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) {
            dst[dstOffset + i] = DType.bf16ToF32(segment.get(I16, byteOffset + 2L * i));
        }
    }

    /**
     * F16: {@link Float#float16ToFloat} in a plain counted loop, which C2 turns into one
     * {@code vcvtph2ps} per vector (measured at 0.04 ns per element, against 0.11 for the same
     * conversion spelled in Vector API integer operations). Exact; only a signalling NaN may come
     * back quieted when compiled.
     */
    static void f16(MemorySegment segment, long byteOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(segment.get(I16, byteOffset + 2L * i));
        }
    }

    /**
     * I8 (quantized weights): each byte as an integer-valued float, exactly; bytes loaded
     * {@link Simd#B_NARROW} at a time and widened whole, as {@link BlockDots} does.
     */
    static void i8(MemorySegment segment, long byteOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
            long at = byteOffset + i;
            if (L >= 8) {
                for (int v = 0; v < 4 * L; v += L) {
                    ((FloatVector) ByteVector.fromMemorySegment(Simd.B_NARROW, segment, at + v, Simd.LE)
                            .convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, dstOffset + i + v);
                }
            } else {
                for (int v = 0; v < 16; v += 8) {
                    ByteVector b = ByteVector.fromMemorySegment(Simd.B_NARROW, segment, at + v, Simd.LE);
                    ((FloatVector) b.convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, dstOffset + i + v);
                    ((FloatVector) b.convertShape(VectorOperators.B2F, F, 1)).intoArray(dst, dstOffset + i + v + 4);
                }
            }
        }
        for (; i < n; i++) {
            dst[dstOffset + i] = segment.get(ValueLayout.JAVA_BYTE, byteOffset + i);
        }
    }

    /** {@code x[offset + i] += t[index + i]} for a contiguous float tensor, through {@code scratch}. */
    static void addTensor(float[] x, int offset, Tensor t, long index, int n, float[] scratch) {
        tensor(t, index, scratch, 0, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, offset + i).add(FloatVector.fromArray(F, scratch, i))
                    .intoArray(x, offset + i);
        }
        for (; i < n; i++) {
            x[offset + i] += scratch[i];
        }
    }
}
