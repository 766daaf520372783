package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The register-level building blocks: exact 16-bit widening, exp accuracy, the fixed-order sum. */
class SimdTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * C2 binds a Vector API call to its vector class through the call's type profile, which the
     * JDK method keeps for all of its callers at once. Where two shapes of one element type run
     * (a 256-bit FloatVector beside the 512-bit ones), that profile names both classes, and in
     * some runs C2 compiles a two-way switch that boxes every vector of a kernel on the heap:
     * SteadyStateAllocationTest then failed about one run in ten. So each element type has one
     * shape in the whole package.
     */
    @Test
    void everyElementTypeHasOneVectorShape() throws Exception {
        Map<String, Set<String>> shapes = new TreeMap<>();
        Path classes = Path.of(Simd.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = classes.resolve(Simd.class.getPackageName().replace('.', '/'));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName(Simd.class.getPackageName() + "." + name);
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && VectorSpecies.class.isAssignableFrom(field.getType())) {
                        field.setAccessible(true);
                        VectorSpecies<?> species = (VectorSpecies<?>) field.get(null);
                        shapes.computeIfAbsent(species.elementType().getSimpleName(), k -> new TreeSet<>())
                                .add(species.vectorBitSize() + " bits (" + name + "." + field.getName() + ")");
                    }
                }
            }
        }
        assertThat(shapes).containsKeys("float", "int", "short", "byte");
        shapes.forEach((element, seen) -> assertThat(seen.stream().map(s -> s.substring(0, s.indexOf(' '))).distinct())
                .as("vector shapes of " + element + ": " + seen).hasSize(1));
    }

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

    /**
     * The in-register 16-bit conversions of the [out, in] GEMV, for every finite bit pattern: each
     * pattern is one weight, and x picks one column at a time, so every output is one weight
     * times 1 plus zeros — exactly the widened weight.
     */
    @Test
    void gemvWidensEveryFinite16BitPatternExactly() {
        int in = 64;
        int out = 65536 / in;
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            float[] w = new float[65536];
            for (int h = 0; h < 65536; h++) {
                w[h] = dtype == DType.F16
                        ? ((h & 0x7c00) == 0x7c00 ? 0f : Float.intBitsToFloat(f16Bits(h)))
                        : ((h & 0x7f80) == 0x7f80 ? 0f : Float.intBitsToFloat(h << 16));
            }
            Linear linear = Linear.outIn(Tensor.fromFloats(dtype, w, out, in), null);
            float[] x = new float[in];
            float[] y = new float[out];
            try (Parallel parallel = Parallel.create(1)) {
                for (int round = 0; round < 3; round++) {
                    for (int j = 0; j < in; j++) {
                        x[j] = 1f;
                        Matmul.linear(y, 0, x, 0, 1, linear, parallel);
                        x[j] = 0f;
                        for (int o = 0; o < out; o++) {
                            if (y[o] != w[o * in + j]) {
                                fail(dtype + " pattern 0x" + Integer.toHexString(o * in + j) + ": expected "
                                        + w[o * in + j] + " got " + y[o]);
                            }
                        }
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
        float[] special = new float[Math.max(Simd.L, 8)]; // whole vectors, also where a vector has 4 lanes
        special[0] = Float.NEGATIVE_INFINITY;
        special[1] = Float.POSITIVE_INFINITY;
        special[2] = Float.NaN;
        special[3] = -1000f;
        special[4] = 1000f;
        special[5] = 0f;
        lanes = new float[special.length];
        for (int at = 0; at < special.length; at += Simd.L) {
            Simd.exp(FloatVector.fromArray(Simd.F, special, at)).intoArray(lanes, at);
        }
        assertThat(lanes[0]).isZero();
        assertThat(lanes[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(lanes[2]).isNaN();
        assertThat(lanes[3]).isZero();
        assertThat(lanes[4]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(lanes[5]).isEqualTo(1f);
    }

    @Test
    void sumLanesAddsEveryLane() {
        float[] v = new float[Simd.L];
        for (int j = 0; j < Simd.L; j++) {
            v[j] = 1 << j;
        }
        assertThat(Simd.sumLanes(v)).isEqualTo((float) ((1L << Simd.L) - 1));
    }
}
