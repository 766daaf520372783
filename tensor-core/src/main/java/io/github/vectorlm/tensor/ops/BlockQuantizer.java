package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.BlockType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 quantization on the Vector API, byte for byte {@link BlockType#quantize} (ggml's
 * {@code quantize_row_q8_0_ref}, its scalar twin): per block of 32, d = absmax / 127 rounded to
 * f16 after the values are quantized with the f32 d, q = x · (1/d) rounded half away from zero.
 * The rounding is exact in vectors: the integer part of |v| by truncation, plus one where the
 * fraction (|v| minus it, exact below 2²³) is at least ½ — what {@code Math.round} computes — and
 * the sign put back. Used by exports, where the scalar quantizer was a third of a GGUF Q8_0 export.
 */
public final class BlockQuantizer {
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockQuantizer() {
    }

    /**
     * Quantizes {@code count} values (a multiple of 32) from {@code in[inOffset …]} into Q8_0
     * blocks written from {@code byteOffset}, exactly as {@code BlockType.Q8_0.quantize} does.
     *
     * @param in the values
     * @param inOffset the first value
     * @param count how many (a multiple of 32)
     * @param out where the blocks go
     * @param byteOffset the first block's byte
     * @throws IllegalArgumentException if {@code count} is no multiple of 32
     * @throws IndexOutOfBoundsException if values or blocks lie outside their bounds
     */
    public static void quantizeQ8_0(float[] in, int inOffset, int count, MemorySegment out, long byteOffset) {
        if (count % 32 != 0) {
            throw new IllegalArgumentException(count + " values are no whole number of Q8_0 blocks of 32");
        }
        Objects.checkFromIndexSize(inOffset, count, in.length);
        Objects.checkFromIndexSize(byteOffset, BlockType.Q8_0.bytesFor(count), out.byteSize());
        if (Simd.F.length() > 32 || 32 % Simd.F.length() != 0) {
            BlockType.Q8_0.quantize(in, inOffset, count, out, byteOffset);
            return;
        }
        int lanes = Simd.F.length();
        // a block's quants, narrowed a float vector's lanes at a time (at 128 bits B_NARROW has more
        // lanes than the ints: the zeros past them land in the tail and are overwritten or left)
        byte[] q = new byte[32 + Simd.B_NARROW.length()];
        long at = byteOffset;
        for (int block = 0; block < count; block += 32, at += 34) {
            int base = inOffset + block;
            FloatVector max = FloatVector.zero(Simd.F);
            for (int j = 0; j < 32; j += lanes) {
                max = max.max(FloatVector.fromArray(Simd.F, in, base + j).abs());
            }
            float amax = max.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            out.set(I16_LE, at, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j += lanes) {
                FloatVector v = FloatVector.fromArray(Simd.F, in, base + j).mul(id);
                FloatVector a = v.abs();
                IntVector t = (IntVector) a.convert(VectorOperators.F2I, 0);
                FloatVector fraction = a.sub((FloatVector) t.convert(VectorOperators.I2F, 0));
                VectorMask<Integer> up = fraction.compare(VectorOperators.GE, 0.5f).cast(Simd.I);
                t = t.add(1, up);
                VectorMask<Integer> negative = v.compare(VectorOperators.LT, 0f).cast(Simd.I);
                t = t.lanewise(VectorOperators.NEG, negative);
                ((ByteVector) t.convertShape(VectorOperators.I2B, Simd.B_NARROW, 0)).intoArray(q, j);
            }
            MemorySegment.copy(q, 0, out, ValueLayout.JAVA_BYTE, at + 2, 32);
        }
    }
}
