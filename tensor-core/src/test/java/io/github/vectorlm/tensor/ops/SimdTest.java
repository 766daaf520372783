package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.vectorlm.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The register-level building blocks: exact 16-bit widening, exp accuracy, the fixed-order sum. */
class SimdTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Every one of the 65536 bit patterns, at an odd byte offset. */
    private static MemorySegment allHalfPatterns() {
        MemorySegment s = Arena.ofAuto().allocate(65536 * 2 + 1);
        for (int i = 0; i < 65536; i++) {
            s.set(I16, 1 + 2L * i, (short) i);
        }
        return s;
    }

    @Test
    void f16WideningIsExactForEveryBitPattern() {
        MemorySegment s = allHalfPatterns();
        float[] widened = new float[65536];
        for (int round = 0; round < 3; round++) { // interpreted, then compiled (vcvtph2ps)
            Widen.f16(s, 1, widened, 0, 65536);
            for (int i = 0; i < 65536; i++) {
                int expected = f16Bits(i);
                int actual = Float.floatToRawIntBits(widened[i]);
                boolean bothNan = Float.isNaN(Float.intBitsToFloat(expected)) && Float.isNaN(widened[i])
                        && (expected & 0x803fffff) == (actual & 0x803fffff); // same sign and payload; quiet bit may be set
                if (expected != actual && !bothNan) {
                    fail("f16 0x" + Integer.toHexString(i) + ": expected 0x" + Integer.toHexString(expected)
                            + " got 0x" + Integer.toHexString(actual));
                }
            }
        }
    }

    /** The in-register F16 conversion the GEMV kernels use, for every bit pattern, NaN payloads kept. */
    @Test
    void f16RegisterConversionIsExactForEveryBitPattern() {
        MemorySegment s = allHalfPatterns();
        float[] lanes = new float[Simd.L];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 65536; i += Simd.L) {
                Simd.loadF16(s, 1 + 2L * i).intoArray(lanes, 0);
                for (int j = 0; j < Simd.L; j++) {
                    int expected = f16Bits(i + j);
                    if (expected != Float.floatToRawIntBits(lanes[j])) {
                        fail("f16 0x" + Integer.toHexString(i + j) + ": expected 0x" + Integer.toHexString(expected)
                                + " got 0x" + Integer.toHexString(Float.floatToRawIntBits(lanes[j])));
                    }
                }
            }
        }
    }

    /**
     * IEEE 754 binary16 → binary32 from the definition: normals rebias the exponent, subnormals are
     * m·2^-24, and infinities/NaNs keep the payload (as PyTorch's c10::Half does; the JDK's
     * {@code Float.float16ToFloat} may quiet a signalling NaN when it is compiled to vcvtph2ps).
     */
    private static int f16Bits(int h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return sign | 0x7f800000 | (mantissa << 13);
        }
        if (exponent == 0) {
            return sign | Float.floatToRawIntBits(mantissa * 0x1p-24f);
        }
        return sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    }

    @Test
    void bf16WideningIsExactForEveryBitPattern() {
        MemorySegment s = allHalfPatterns();
        float[] widened = new float[65536];
        for (int round = 0; round < 3; round++) {
            Widen.bf16(s, 1, widened, 0, 65536 - 3); // a scalar tail too
            Widen.bf16(s, 1 + 2L * (65536 - 3), widened, 65536 - 3, 3);
            for (int i = 0; i < 65536; i++) {
                float expected = DType.bf16ToF32((short) i);
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(widened[i])) {
                    fail("bf16 0x" + Integer.toHexString(i) + ": expected " + expected + " got " + widened[i]);
                }
            }
        }
    }

    @Test
    void f32WideningCopiesFromUnalignedOffsets() {
        float[] values = {1.5f, -2.25f, 3.0f, Float.MIN_VALUE, -0.0f};
        var t = TestData.tensor(DType.F32, values, 3, values.length);
        float[] out = new float[values.length + 1];
        Widen.tensor(t, 1, out, 1, values.length - 1);
        assertThat(out).containsExactly(0f, -2.25f, 3.0f, Float.MIN_VALUE, -0.0f, 0f);
    }

    /** exp within 3 ulp of the correctly rounded value over the whole finite range, and its limits. */
    @Test
    void expIsAccurate() {
        float[] lanes = new float[Simd.L];
        float[] in = new float[Simd.L];
        double worstUlps = 0;
        for (int step = 0; step < 400_000; step++) {
            for (int j = 0; j < Simd.L; j++) {
                in[j] = (float) (-87.3 + (88.7 + 87.3) * ((step * Simd.L + j) / (400_000.0 * Simd.L)));
            }
            Simd.exp(FloatVector.fromArray(Simd.F, in, 0)).intoArray(lanes, 0);
            for (int j = 0; j < Simd.L; j++) {
                float expected = (float) Math.exp(in[j]);
                double ulps = Math.abs(lanes[j] - (double) expected) / Math.ulp(expected);
                worstUlps = Math.max(worstUlps, ulps);
            }
        }
        System.out.println("exp: worst error " + worstUlps + " ulp");
        assertThat(worstUlps).isLessThanOrEqualTo(3.0);
        // subnormal results: within one subnormal step (plus 2 ulp of the value) of the exact result
        for (float x = -103.9f; x < -87.4f; x += 0.01f) {
            float[] in1 = new float[Simd.L];
            java.util.Arrays.fill(in1, x);
            Simd.exp(FloatVector.fromArray(Simd.F, in1, 0)).intoArray(lanes, 0);
            double exact = Math.exp(x);
            assertThat(Math.abs(lanes[0] - exact)).as("exp(%s)", x)
                    .isLessThanOrEqualTo(Float.MIN_VALUE + 2 * Math.ulp((float) exact));
        }
        float[] special = new float[Simd.L];
        special[0] = Float.NEGATIVE_INFINITY;
        special[1] = Float.POSITIVE_INFINITY;
        special[2] = Float.NaN;
        special[3] = -1000f;
        special[4] = 1000f;
        special[5] = 0f;
        Simd.exp(FloatVector.fromArray(Simd.F, special, 0)).intoArray(lanes, 0);
        assertThat(lanes[0]).isZero();
        assertThat(lanes[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(lanes[2]).isNaN();
        assertThat(lanes[3]).isZero();
        assertThat(lanes[4]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(lanes[5]).isEqualTo(1f);
    }

    @Test
    void sumAddsEveryLane() {
        float[] v = new float[Simd.L];
        for (int j = 0; j < Simd.L; j++) {
            v[j] = 1 << j;
        }
        assertThat(Simd.sum(FloatVector.fromArray(Simd.F, v, 0))).isEqualTo((float) ((1L << Simd.L) - 1));
    }
}
