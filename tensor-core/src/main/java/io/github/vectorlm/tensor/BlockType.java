package io.github.vectorlm.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's block-quantized formats: a row of {@code n} values is stored as {@code n / blockSize()}
 * blocks of {@link #blockBytes()} bytes each, every block carrying its own scale(s). Layouts are
 * bit-compatible with ggml ({@code ggml/src/ggml-common.h}); a block type cannot be a {@link DType}
 * because its values have no byte size of their own and no element strides, which every
 * {@link Tensor} view relies on. Tensors of these types are {@link QuantizedTensor}s.
 *
 * <p>This enum is the one place the block layouts and their scalar dequantizers live: each
 * constant's comment gives its layout, and its {@link #dequantizeBlock} is the specification any
 * faster kernel is tested against. All integers and f16 values are little-endian; "f16" is IEEE
 * binary16, widened exactly. Arithmetic is float32 in the order ggml's reference C code writes it
 * ({@code dequantize_row_*}), with no fused multiply-add, so results equal gguf-py's numpy port of
 * those functions bit for bit.
 *
 * <p>The super-block ("K") types pack 256 values as 16 sub-blocks of 16 or 8 of 32, each with a
 * 4-, 6- or 8-bit scale (and min) that is itself scaled by the block's f16 {@code d} (and
 * {@code dmin}). The types at the end of the enum ({@link #Q8_K} and after) have known sizes, so
 * files holding them can be listed and validated, but {@link #canDequantize()} is false for them.
 */
public enum BlockType {
    /** 32 values: f16 d; 16 bytes, value j in the low nibble of byte j, value j+16 in its high nibble. x = (q - 8)·d. */
    Q4_0(32, 18, true),
    /** 32 values: f16 d, f16 m; nibbles as {@link #Q4_0}. x = q·d + m. */
    Q4_1(32, 20, true),
    /**
     * 32 values: f16 d; u32 qh (bit j = fifth bit of value j); 16 bytes of low nibbles as
     * {@link #Q4_0}. x = (q - 16)·d.
     */
    Q5_0(32, 22, true),
    /** 32 values: f16 d, f16 m; u32 qh; low nibbles, as {@link #Q5_0}. x = q·d + m. */
    Q5_1(32, 24, true),
    /** 32 values: f16 d; 32 × int8 q. x = q·d. */
    Q8_0(32, 34, true),
    /**
     * 32 values: f16 d, f16 s (= d·Σq, used by ggml's dot products); 32 × int8 q. x = q·d. ggml's
     * intermediate type for activations, 36 bytes since late 2023 (gguf-py's size table still says
     * 40, the older two-f32 block).
     */
    Q8_1(32, 36, true),
    /**
     * 256 values in 16 sub-blocks of 16: 16 scale bytes (low nibble: scale, high nibble: min); 64
     * bytes of 2-bit q; f16 d, f16 dmin. Values 128h + 32j + l (l &lt; 16) take bits 2j of byte
     * 32h + l and scale byte 8h + 2j; values 128h + 32j + 16 + l take byte 32h + 16 + l and scale
     * byte 8h + 2j + 1. x = (d·scale)·q - dmin·min.
     */
    Q2_K(256, 84, true),
    /**
     * 256 values in 16 sub-blocks of 16: 32 bytes hmask; 64 bytes of 2-bit low q (as {@link #Q2_K});
     * 12 bytes of 6-bit signed scales (scale i: low 4 bits from byte i mod 8, nibble i / 8; high 2 bits
     * from byte 8 + i mod 4, bits 2·(i / 4); minus 32); f16 d. Value 128h + 32j + l takes hmask bit
     * 4h + j of byte l (mod 32): q = low - (bit set ? 0 : 4). x = (d·scale)·q.
     */
    Q3_K(256, 110, true),
    /**
     * 256 values in 8 sub-blocks of 32: f16 d, f16 dmin; 12 bytes of 6-bit scales and mins (packed as
     * ggml's {@code get_scale_min_k4}); 128 bytes of nibbles: values 64g + l take the low nibble of
     * byte 32g + l (sub-block 2g), values 64g + 32 + l its high nibble (sub-block 2g + 1).
     * x = (d·scale)·q - dmin·min.
     */
    Q4_K(256, 144, true),
    /**
     * 256 values as {@link #Q4_K} with a fifth bit: f16 d, f16 dmin; 12 bytes scales; 32 bytes qh
     * (bit 2g of byte l for value 64g + l, bit 2g + 1 for value 64g + 32 + l); 128 bytes of nibbles.
     * x = (d·scale)·q - dmin·min.
     */
    Q5_K(256, 176, true),
    /**
     * 256 values in 16 sub-blocks of 16: 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 ×
     * int8 scales, f16 d. In each half h (128 values), for l &lt; 32: values l, l + 32, l + 64, l + 96
     * take the low nibble of ql[l], low nibble of ql[l + 32], high nibble of ql[l], high nibble of
     * ql[l + 32], with bits 0-1, 2-3, 4-5, 6-7 of qh[l] above them, and scales l/16 + 0, 2, 4, 6.
     * x = (d·scale)·(q - 32).
     */
    Q6_K(256, 210, true),
    /** ggml's intermediate super-block for dot products (f32 d, 256 × int8, 16 × int16 sums); not dequantized. */
    Q8_K(256, 292, false),
    /** i-quant, 2.06 bits per value; not dequantized. */
    IQ2_XXS(256, 66, false),
    /** i-quant, 2.31 bits per value; not dequantized. */
    IQ2_XS(256, 74, false),
    /** i-quant, 3.06 bits per value; not dequantized. */
    IQ3_XXS(256, 98, false),
    /** i-quant, 1.56 bits per value; not dequantized. */
    IQ1_S(256, 50, false),
    /** non-linear 4-bit, blocks of 32; not dequantized. */
    IQ4_NL(32, 18, false),
    /** i-quant, 3.44 bits per value; not dequantized. */
    IQ3_S(256, 110, false),
    /** i-quant, 2.56 bits per value; not dequantized. */
    IQ2_S(256, 82, false),
    /** non-linear 4-bit super-blocks; not dequantized. */
    IQ4_XS(256, 136, false),
    /** i-quant, 1.75 bits per value; not dequantized. */
    IQ1_M(256, 56, false),
    /** ternary, 1.69 bits per value; not dequantized. */
    TQ1_0(256, 54, false),
    /** ternary, 2.06 bits per value; not dequantized. */
    TQ2_0(256, 66, false),
    /** OCP microscaling FP4 (E2M1 values, E8M0 scale per 32); not dequantized. */
    MXFP4(32, 17, false),
    /** NVIDIA FP4 (E2M1 values, FP8 scale per 16, four per block); not dequantized. */
    NVFP4(64, 36, false),
    /** 1-bit, blocks of 128; not dequantized. */
    Q1_0(128, 18, false);

    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int blockSize;
    private final int blockBytes;
    private final boolean dequantized;

    BlockType(int blockSize, int blockBytes, boolean dequantized) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.dequantized = dequantized;
    }

    /** Values per block (ggml's {@code blck_size}): 32, 64, 128 or 256. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block (ggml's {@code type_size}). */
    public int blockBytes() {
        return blockBytes;
    }

    /** Whether {@link #dequantizeBlock} decodes this type (false for the i-quants and the others at the end). */
    public boolean canDequantize() {
        return dequantized;
    }

    /**
     * Bytes of {@code values} values: {@code values / blockSize() × blockBytes()}.
     *
     * @throws IllegalArgumentException if {@code values} is negative or not a multiple of the block size
     * @throws ArithmeticException if the byte count overflows a long
     */
    public long bytesFor(long values) {
        if (values < 0 || values % blockSize != 0) {
            throw new IllegalArgumentException(values + " values are not a whole number of " + this + " blocks of "
                    + blockSize);
        }
        return Math.multiplyExact(values / blockSize, (long) blockBytes);
    }

    /**
     * Writes the {@link #blockSize()} values of the block at {@code byteOffset} to
     * {@code out[outOffset …]}.
     *
     * @throws UnsupportedOperationException if {@link #canDequantize()} is false
     * @throws IndexOutOfBoundsException if the block or the output lies outside its bounds
     */
    public void dequantizeBlock(MemorySegment segment, long byteOffset, float[] out, int outOffset) {
        java.util.Objects.checkFromIndexSize(outOffset, blockSize, out.length);
        switch (this) {
            case Q4_0 -> q4_0(segment, byteOffset, out, outOffset);
            case Q4_1 -> q4_1(segment, byteOffset, out, outOffset);
            case Q5_0 -> q5_0(segment, byteOffset, out, outOffset);
            case Q5_1 -> q5_1(segment, byteOffset, out, outOffset);
            case Q8_0 -> q8(segment, byteOffset, 2, out, outOffset);
            case Q8_1 -> q8(segment, byteOffset, 4, out, outOffset);
            case Q2_K -> q2K(segment, byteOffset, out, outOffset);
            case Q3_K -> q3K(segment, byteOffset, out, outOffset);
            case Q4_K -> q4K(segment, byteOffset, out, outOffset);
            case Q5_K -> q5K(segment, byteOffset, out, outOffset);
            case Q6_K -> q6K(segment, byteOffset, out, outOffset);
            default -> throw new UnsupportedOperationException(this + " blocks are not dequantized by this library");
        }
    }

    /**
     * Dequantizes {@code count} values (a multiple of {@link #blockSize()}) stored from
     * {@code byteOffset} into {@code out[outOffset …]}.
     */
    public void dequantize(MemorySegment segment, long byteOffset, int count, float[] out, int outOffset) {
        long bytes = bytesFor(count);
        java.util.Objects.checkFromIndexSize(byteOffset, bytes, segment.byteSize());
        for (int v = 0; v < count; v += blockSize) {
            dequantizeBlock(segment, byteOffset, out, outOffset + v);
            byteOffset += blockBytes;
        }
    }

    /** Whether {@link #quantize} writes this type: {@link #Q8_0} and {@link #Q4_0}. */
    public boolean canQuantize() {
        return this == Q8_0 || this == Q4_0;
    }

    /**
     * Quantizes {@code count} values (a multiple of {@link #blockSize()}) from
     * {@code in[inOffset …]} into blocks written from {@code byteOffset}, as ggml's reference
     * quantizers ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}) do, bit for bit:
     * Q8_0 takes d = absmax / 127 and q = round(x / d) (half away from zero); Q4_0 takes the value
     * of largest magnitude m, d = m / -8 and q = min(15, trunc(x / d + 8.5)). The scale is rounded to
     * f16 (to nearest even) after the values are quantized with the f32 one, as ggml does.
     *
     * @throws UnsupportedOperationException if {@link #canQuantize()} is false
     * @throws IndexOutOfBoundsException if the values or the blocks lie outside their bounds
     */
    public void quantize(float[] in, int inOffset, int count, MemorySegment segment, long byteOffset) {
        if (!canQuantize()) {
            throw new UnsupportedOperationException(this + " blocks are not written by this library (only Q8_0 and Q4_0)");
        }
        long bytes = bytesFor(count);
        java.util.Objects.checkFromIndexSize(inOffset, count, in.length);
        java.util.Objects.checkFromIndexSize(byteOffset, bytes, segment.byteSize());
        for (int v = 0; v < count; v += blockSize, byteOffset += blockBytes) {
            if (this == Q8_0) {
                quantizeQ8_0(in, inOffset + v, segment, byteOffset);
            } else {
                quantizeQ4_0(in, inOffset + v, segment, byteOffset);
            }
        }
    }

    private static void quantizeQ8_0(float[] x, int at, MemorySegment s, long b) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[at + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        s.set(I16_LE, b, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            s.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) roundHalfAway(x[at + j] * id));
        }
    }

    private static void quantizeQ4_0(float[] x, int at, MemorySegment s, long b) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[at + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        s.set(I16_LE, b, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int low = Math.min(15, (int) (x[at + j] * id + 8.5f));
            int high = Math.min(15, (int) (x[at + 16 + j] * id + 8.5f));
            s.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) (low | high << 4));
        }
    }

    /** C's {@code roundf}: to nearest, halves away from zero. */
    private static int roundHalfAway(float v) {
        return v < 0f ? -Math.round(-v) : Math.round(v);
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    private static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(I16_LE, at));
    }

    private static void q4_0(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, b + 2 + j);
            out[o + j] = ((q & 0xf) - 8) * d;
            out[o + j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    private static void q4_1(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        float m = f16(s, b + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, b + 4 + j);
            out[o + j] = (q & 0xf) * d + m;
            out[o + j + 16] = (q >>> 4) * d + m;
        }
    }

    private static void q5_0(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        int qh = s.get(I32_LE, b + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, b + 6 + j);
            int low = (q & 0xf) | ((qh >>> j) & 1) << 4;
            int high = (q >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = (low - 16) * d;
            out[o + j + 16] = (high - 16) * d;
        }
    }

    private static void q5_1(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        float m = f16(s, b + 2);
        int qh = s.get(I32_LE, b + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, b + 8 + j);
            int low = (q & 0xf) | ((qh >>> j) & 1) << 4;
            int high = (q >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = low * d + m;
            out[o + j + 16] = high * d + m;
        }
    }

    /** Q8_0 and Q8_1: f16 d, then (Q8_1) f16 s, then 32 int8 from {@code qsAt}. */
    private static void q8(MemorySegment s, long b, int qsAt, float[] out, int o) {
        float d = f16(s, b);
        for (int j = 0; j < 32; j++) {
            out[o + j] = s.get(ValueLayout.JAVA_BYTE, b + qsAt + j) * d;
        }
    }

    private static void q2K(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b + 80);
        float dmin = f16(s, b + 82);
        for (int h = 0; h < 2; h++) {
            long q = b + 16 + 32 * h;
            for (int j = 0; j < 4; j++) {
                int shift = 2 * j;
                for (int half = 0; half < 2; half++) {
                    int sc = u8(s, b + 8 * h + 2 * j + half);
                    float dl = d * (sc & 0xf);
                    float ml = dmin * (sc >>> 4);
                    int at = o + 128 * h + 32 * j + 16 * half;
                    for (int l = 0; l < 16; l++) {
                        out[at + l] = dl * ((u8(s, q + 16 * half + l) >>> shift) & 3) - ml;
                    }
                }
            }
        }
    }

    private static void q3K(MemorySegment s, long b, float[] out, int o) {
        long hmask = b;
        long scales = b + 96;
        float d = f16(s, b + 108);
        for (int h = 0; h < 2; h++) {
            long q = b + 32 + 32 * h;
            for (int j = 0; j < 4; j++) {
                int shift = 2 * j;
                int bit = 4 * h + j;
                for (int half = 0; half < 2; half++) {
                    int i = 8 * h + 2 * j + half;
                    int low = (u8(s, scales + i % 8) >>> (4 * (i / 8))) & 0xf;
                    int high = (u8(s, scales + 8 + i % 4) >>> (2 * (i / 4))) & 3;
                    float dl = d * ((low | high << 4) - 32);
                    int at = o + 128 * h + 32 * j + 16 * half;
                    for (int l = 0; l < 16; l++) {
                        int k = 16 * half + l;
                        int value = ((u8(s, q + k) >>> shift) & 3) - (((u8(s, hmask + k) >>> bit) & 1) != 0 ? 0 : 4);
                        out[at + l] = dl * value;
                    }
                }
            }
        }
    }

    /** ggml's {@code get_scale_min_k4}: the 6-bit scale (low 8 bits of the result) and min (next 8) of sub-block j. */
    private static int scaleMinK4(MemorySegment s, long scales, int j) {
        int scale;
        int min;
        if (j < 4) {
            scale = u8(s, scales + j) & 63;
            min = u8(s, scales + j + 4) & 63;
        } else {
            scale = (u8(s, scales + j + 4) & 0xf) | (u8(s, scales + j - 4) >>> 6) << 4;
            min = (u8(s, scales + j + 4) >>> 4) | (u8(s, scales + j) >>> 6) << 4;
        }
        return scale | min << 8;
    }

    private static void q4K(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        float dmin = f16(s, b + 2);
        for (int g = 0; g < 4; g++) {
            int sm1 = scaleMinK4(s, b + 4, 2 * g);
            int sm2 = scaleMinK4(s, b + 4, 2 * g + 1);
            float d1 = d * (sm1 & 0xff);
            float m1 = dmin * (sm1 >>> 8);
            float d2 = d * (sm2 & 0xff);
            float m2 = dmin * (sm2 >>> 8);
            long q = b + 16 + 32 * g;
            for (int l = 0; l < 32; l++) {
                int v = u8(s, q + l);
                out[o + 64 * g + l] = d1 * (v & 0xf) - m1;
                out[o + 64 * g + 32 + l] = d2 * (v >>> 4) - m2;
            }
        }
    }

    private static void q5K(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b);
        float dmin = f16(s, b + 2);
        long qh = b + 16;
        for (int g = 0; g < 4; g++) {
            int sm1 = scaleMinK4(s, b + 4, 2 * g);
            int sm2 = scaleMinK4(s, b + 4, 2 * g + 1);
            float d1 = d * (sm1 & 0xff);
            float m1 = dmin * (sm1 >>> 8);
            float d2 = d * (sm2 & 0xff);
            float m2 = dmin * (sm2 >>> 8);
            long q = b + 48 + 32 * g;
            for (int l = 0; l < 32; l++) {
                int v = u8(s, q + l);
                int h = u8(s, qh + l);
                out[o + 64 * g + l] = d1 * ((v & 0xf) + ((h >>> (2 * g)) & 1) * 16) - m1;
                out[o + 64 * g + 32 + l] = d2 * ((v >>> 4) + ((h >>> (2 * g + 1)) & 1) * 16) - m2;
            }
        }
    }

    private static void q6K(MemorySegment s, long b, float[] out, int o) {
        float d = f16(s, b + 208);
        for (int h = 0; h < 2; h++) {
            long ql = b + 64 * h;
            long qh = b + 128 + 32 * h;
            long sc = b + 192 + 8 * h;
            int at = o + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int high = u8(s, qh + l);
                int a = u8(s, ql + l);
                int c = u8(s, ql + l + 32);
                out[at + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * (((a & 0xf) | (high & 3) << 4) - 32);
                out[at + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2) * (((c & 0xf) | ((high >>> 2) & 3) << 4) - 32);
                out[at + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4) * (((a >>> 4) | ((high >>> 4) & 3) << 4) - 32);
                out[at + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6) * (((c >>> 4) | ((high >>> 6) & 3) << 4) - 32);
            }
        }
    }
}
