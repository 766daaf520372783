package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Scalar element reads from contiguous float tensors, for the reference kernels and cold paths. */
final class Elements {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Elements() {
    }

    /** Element {@code index} (row-major) of a contiguous F32/F16/BF16 tensor, as float. */
    static float get(Tensor t, long index) {
        MemorySegment s = t.segment();
        long base = t.byteOffset();
        return switch (t.dtype()) {
            case F32 -> s.get(F32, base + index * 4);
            case F16 -> DType.f16ToF32(s.get(I16, base + index * 2));
            case BF16 -> DType.bf16ToF32(s.get(I16, base + index * 2));
            default -> throw new IllegalArgumentException("expected a float tensor, got " + t);
        };
    }

    /** Checks that a 1-D parameter (norm weight, bias) is a contiguous float vector of {@code length}. */
    static void requireVector(String what, Tensor t, long length) {
        if (t.rank() != 1 || t.dim(0) != length || !t.isContiguous()
                || (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16)) {
            throw new IllegalArgumentException(what + " must be a contiguous F32/F16/BF16 vector of length "
                    + length + ", got " + t);
        }
    }

    /** Checks that {@code [offset, offset + length)} lies inside an array of {@code arrayLength}. */
    static void requireRange(String what, int arrayLength, long offset, long length) {
        if (!fits(arrayLength, offset, length)) {
            throw rangeError(what, arrayLength, offset, length);
        }
    }

    /**
     * Checks that {@code [offset, offset + length)} lies inside an array of {@code arrayLength};
     * the message names the array's shape {@code [d0, d1]}. Builds no string unless it fails.
     */
    static void requireRange(String what, long d0, long d1, int arrayLength, long offset, long length) {
        if (!fits(arrayLength, offset, length)) {
            throw rangeError(what + " [" + d0 + ", " + d1 + "]", arrayLength, offset, length);
        }
    }

    /** As above for a three-dimensional shape {@code [d0, d1, d2]}. */
    static void requireRange(String what, long d0, long d1, long d2, int arrayLength, long offset, long length) {
        if (!fits(arrayLength, offset, length)) {
            throw rangeError(what + " [" + d0 + ", " + d1 + ", " + d2 + "]", arrayLength, offset, length);
        }
    }

    static boolean fits(int arrayLength, long offset, long length) {
        return offset >= 0 && length >= 0 && offset + length <= arrayLength;
    }

    static IllegalArgumentException rangeError(String what, int arrayLength, long offset, long length) {
        return new IllegalArgumentException(what + ": range [" + offset + ", " + (offset + length)
                + ") does not fit an array of " + arrayLength);
    }
}
