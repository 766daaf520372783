package io.github.vectorlm.tensor;

/**
 * Element types a {@link Tensor} can hold: the union of what PyTorch, safetensors and TensorFlow
 * checkpoints store. Every element is little-endian in memory.
 *
 * <p>The conversions follow PyTorch bit for bit: F16 is IEEE 754 binary16 (round to nearest even
 * when narrowing), BF16 is the upper half of an F32 (round to nearest even when narrowing, NaN kept
 * quiet), as {@code torch.Tensor.to} does.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4, true),
    /** IEEE 754 binary16. */
    F16(2, true),
    /** bfloat16: the 16 high bits of an F32. */
    BF16(2, true),
    /** IEEE 754 binary64. */
    F64(8, true),
    /** float8 with 4 exponent and 3 mantissa bits, no infinities (OCP "E4M3FN"). */
    F8_E4M3(1, true),
    /** float8 with 5 exponent and 2 mantissa bits (OCP "E5M2"). */
    F8_E5M2(1, true),
    /** signed 8-bit integer; also the storage of int8-quantized weights (scales kept beside). */
    I8(1, false),
    /** signed 16-bit integer. */
    I16(2, false),
    /** signed 32-bit integer. */
    I32(4, false),
    /** signed 64-bit integer. */
    I64(8, false),
    /** unsigned 8-bit integer. */
    U8(1, false),
    /** unsigned 16-bit integer. */
    U16(2, false),
    /** unsigned 32-bit integer. */
    U32(4, false),
    /** unsigned 64-bit integer (values above {@code Long.MAX_VALUE} read as negative longs). */
    U64(8, false),
    /** one byte per element, 0 = false, anything else = true. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether the type holds floating-point values. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** Widens an IEEE binary16 bit pattern to float, exactly. */
    public static float f16ToF32(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Narrows a float to IEEE binary16, rounding to nearest even (PyTorch's {@code .half()}). */
    public static short f32ToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** Widens a bfloat16 bit pattern to float, exactly. */
    public static float bf16ToF32(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * Narrows a float to bfloat16, rounding to nearest even as PyTorch's {@code c10::BFloat16}
     * does; any NaN becomes the quiet NaN {@code 0x7fc0}.
     */
    public static short f32ToBf16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** Narrows a float to bfloat16 by dropping the low 16 bits (truncation, as TensorFlow's old cast did). */
    public static short f32ToBf16Truncated(float value) {
        return (short) (Float.floatToRawIntBits(value) >>> 16);
    }

    /** Widens an OCP float8 E4M3FN bit pattern to float, exactly (0x7f and 0xff are NaN). */
    public static float f8e4m3ToF32(byte bits) {
        int b = bits & 0xff;
        int sign = b >>> 7;
        int exponent = (b >>> 3) & 0xf;
        int mantissa = b & 0x7;
        float magnitude;
        if (exponent == 0xf && mantissa == 0x7) {
            return Float.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa * 0x1p-9f; // subnormal: m/8 * 2^-6
        } else {
            magnitude = (1 + mantissa / 8f) * Math.scalb(1f, exponent - 7);
        }
        return sign == 0 ? magnitude : -magnitude;
    }

    /** Widens an OCP float8 E5M2 bit pattern to float, exactly (it is the top byte of a binary16). */
    public static float f8e5m2ToF32(byte bits) {
        return Float.float16ToFloat((short) ((bits & 0xff) << 8));
    }
}
