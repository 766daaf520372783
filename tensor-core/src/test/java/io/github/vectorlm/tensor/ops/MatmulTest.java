package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD GEMV and GEMM paths against {@link MatmulReference}, for both weight layouts and every
 * weight dtype. Tolerance: |simd − reference| ≤ 1e-5·(Σ_i |x_i·w_io| + |b_o|) per output, i.e.
 * about 100 f32 roundings of the sum's magnitude: the two differ only in summation order and
 * fused multiply-adds, while a wrong index or a dropped tail term breaks it by orders of magnitude.
 */
class MatmulTest {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final double TOLERANCE = 1e-5;
    private static Parallel two;
    private static Parallel three;

    @BeforeAll
    static void pools() {
        two = Parallel.create(2);
        three = Parallel.create(3);
    }

    @AfterAll
    static void closePools() {
        two.close();
        three.close();
    }

    static Stream<Arguments> shapes() {
        int[][] shapes = {
            // rows, in, out
            {1, 1, 1}, {1, 3, 17}, {1, 63, 65}, {1, 767, 769}, {1, 3073, 65}, {1, 65, 3073},
            {2, 17, 63}, {2, 769, 767}, {5, 65, 63}, {5, 3073, 33},
            {33, 767, 65}, {33, 63, 769}, {130, 257, 97}, {130, 769, 129},
            // GEMV: even and odd `in` around vector widths (2, 32, 64 and their
            // neighbours); `out` on both sides of the IN_OUT one-row-at-a-time limit (2560 outputs
            // for F32, 3413 for BF16/F16) and across a wide block (65536), with odd tails
            {1, 2, 5}, {1, 4, 2049}, {1, 5, 4096}, {1, 32, 1}, {1, 64, 4097}, {1, 65, 64},
            {1, 768, 63}, {1, 768, 2304}, {1, 129, 2047}, {1, 17, 3001}, {1, 3, 65539},
            // [out, in] rows of more than 4096 inputs, read two at a time, with an odd output left
            // over and tails after the vector loops
            {1, 6151, 7},
        };
        return Stream.of(shapes).flatMap(s -> Stream.of(Linear.Layout.values())
                .flatMap(layout -> Stream.of(DType.F32, DType.F16, DType.BF16)
                        .map(dtype -> Arguments.of(s[0], s[1], s[2], layout, dtype))));
    }

    @ParameterizedTest(name = "{0}x{1}x{2} {3} {4}")
    @MethodSource("shapes")
    void matchesReference(int rows, int in, int out, Linear.Layout layout, DType dtype) {
        Random random = TestData.random("matmul " + rows + "x" + in + "x" + out + " " + layout + " " + dtype);
        Linear linear = randomLinear(random, in, out, layout, dtype, random.nextBoolean());
        int xOffset = 3;
        int yOffset = 5;
        float[] x = TestData.normal(random, xOffset + rows * in, 1.0);
        float[] expected = new float[yOffset + rows * out];
        float[] actual = new float[yOffset + rows * out];
        MatmulReference.linear(expected, yOffset, x, xOffset, rows, linear);
        Matmul.linear(actual, yOffset, x, xOffset, rows, linear, two);
        TestData.assertWithin(linear.toString(), expected, actual, bounds(x, xOffset, rows, linear, yOffset));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Random random = TestData.random("matmul thread invariance");
        // {1, 769, 1000}, {1, 3072, 768}: one-row [in, out] products split into partial sums over the inputs;
        // {1, 4099, 67}, {1, 6150, 35}: [out, in] rows read in groups (F32 pairs, 16-bit fours), the groups starting where a thread's outputs do
        int[][] shapes = {{1, 769, 1000}, {1, 3072, 768}, {1, 768, 4099}, {1, 66, 2051}, {7, 300, 1000}, {130, 129, 450},
            {1, 4099, 67}, {1, 6150, 35}};
        try (Parallel one = Parallel.create(1)) {
            for (int[] s : shapes) {
                for (Linear.Layout layout : Linear.Layout.values()) {
                    for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                        Linear linear = randomLinear(random, s[1], s[2], layout, dtype, true);
                        float[] x = TestData.normal(random, s[0] * s[1], 1.0);
                        float[] y1 = new float[s[0] * s[2]];
                        float[] y2 = new float[y1.length];
                        float[] y3 = new float[y1.length];
                        Matmul.linear(y1, 0, x, 0, s[0], linear, one);
                        Matmul.linear(y2, 0, x, 0, s[0], linear, two);
                        Matmul.linear(y3, 0, x, 0, s[0], linear, three);
                        TestData.assertBitIdentical(linear + " 1 vs 2 threads", y1, y2);
                        TestData.assertBitIdentical(linear + " 1 vs 3 threads", y1, y3);
                    }
                }
            }
        }
    }

    /**
     * One-row [out, in] products give exactly the sum that {@link Gemv}'s class notes promise,
     * computed here with scalar code: vector {@code v} of a row (L elements) into accumulator
     * {@code v mod 4} up to the last whole group of four vectors, F32's remaining whole vectors
     * into accumulator 0, the four combined as (a0+a1)+(a2+a3), the lanes summed in
     * {@link Simd#sumLanes}' tree, the rest of the row by scalar FMAs, then the bias. Covers the
     * in-register lane sums against the array tree, rows read one at a time and in groups (more
     * than 4096 inputs), and F16 rows whose x takes the exact path (a huge input).
     */
    @Test
    void outInRowsGiveTheDocumentedSumBitForBit() {
        Random random = TestData.random("matmul documented order");
        int[] ins = {1, 17, Simd.L * 4, Simd.L * 4 + Simd.L + 3, 767, 768, 3073, 4097, 6151};
        for (int in : ins) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                for (boolean hugeInput : new boolean[] {false, true}) {
                    Linear linear = randomLinear(random, in, 7, Linear.Layout.OUT_IN, dtype, true);
                    float[] x = TestData.normal(random, in, 1.0);
                    if (hugeInput) {
                        x[random.nextInt(in)] = 1e30f;
                    }
                    float[] w = linear.weight().toFloatArray();
                    float[] b = linear.bias().toFloatArray();
                    float[] y = new float[7];
                    Matmul.linear(y, 0, x, 0, 1, linear, two);
                    for (int o = 0; o < 7; o++) {
                        float expected = documentedDot(w, o * in, x, in, dtype == DType.F32) + b[o];
                        assertThat(Float.floatToIntBits(y[o])).as("%s, x huge %s, output %d: %s against %s",
                                linear, hugeInput, o, y[o], expected).isEqualTo(Float.floatToIntBits(expected));
                    }
                }
            }
        }
    }

    private static float documentedDot(float[] w, int row, float[] x, int n, boolean wholeVectorsIntoFirst) {
        int lanes = Simd.L;
        float[][] acc = new float[4][lanes];
        int grouped = n - n % (4 * lanes);
        int vectors = wholeVectorsIntoFirst ? n - n % lanes : grouped;
        for (int i = 0; i < vectors; i++) {
            int v = i < grouped ? (i / lanes) % 4 : 0;
            acc[v][i % lanes] = Math.fma(w[row + i], x[i], acc[v][i % lanes]);
        }
        float[] combined = new float[lanes];
        for (int j = 0; j < lanes; j++) {
            combined[j] = (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
        }
        float sum = Simd.sumLanes(combined);
        for (int i = vectors; i < n; i++) {
            sum = Math.fma(w[row + i], x[i], sum);
        }
        return sum;
    }

    @Test
    void f16FinitenessIsReadFromEveryElement() {
        // exponent 31 (infinities, NaNs of either sign) anywhere, including past the first
        // 2^20-element run of the scan and in its last element; the largest finite half and
        // subnormals are finite
        int n = (1 << 20) + 37;
        float[] values = new float[n];
        Arrays.fill(values, 0.5f);
        values[3] = 65504f;
        values[4] = -65504f;
        values[5] = 6e-8f;
        Tensor finite = Tensor.fromFloats(DType.F16, values, n);
        assertThat(Gemv.f16Finite(finite.segment(), finite.byteOffset(), n)).isTrue();
        for (int at : new int[] {0, 777, 1 << 20, n - 1}) {
            for (float special : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
                float[] v = values.clone();
                v[at] = special;
                Tensor t = Tensor.fromFloats(DType.F16, v, n);
                assertThat(Gemv.f16Finite(t.segment(), t.byteOffset(), n)).as(special + " at " + at).isFalse();
            }
        }
    }

    @Test
    void f16InfinitiesAndNaNsInTheWeightsReachTheOutputs() {
        // the F16 [out, in] GEMV converts without the infinity/NaN blend unless the weight holds
        // an exponent of 31 (Linear.f16Finite), and must then give the exact results: specials in
        // the unrolled loop, the one-vector remainder and the scalar tail (in = 100), and the
        // largest finite F16, which must not be taken for one
        Random random = TestData.random("matmul f16 specials");
        int in = 100;
        int out = 7;
        float[] w = TestData.normal(random, out * in, 0.1);
        float[][] specials = {
            {0, 5, Float.POSITIVE_INFINITY}, {1, 40, Float.NEGATIVE_INFINITY}, {2, 10, Float.NaN},
            {3, 70, Float.POSITIVE_INFINITY}, {4, 3, 65504f}, {5, 95, Float.NEGATIVE_INFINITY}, {6, 63, -65504f},
        };
        for (float[] sp : specials) {
            w[(int) sp[0] * in + (int) sp[1]] = sp[2];
        }
        float[] transposed = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                transposed[i * out + o] = w[o * in + i];
            }
        }
        float[] x = TestData.normal(random, in, 1.0);
        for (int i = 0; i < in; i++) {
            x[i] = Math.abs(x[i]) + 0.25f; // positive: each infinity survives its row's sum
        }
        Linear[] layers = {
            Linear.outIn(Tensor.fromFloats(DType.F16, w, out, in), null),
            Linear.inOut(Tensor.fromFloats(DType.F16, transposed, in, out), null),
        };
        for (Linear linear : layers) {
            float[] expected = new float[out];
            float[] actual = new float[out];
            MatmulReference.linear(expected, 0, x, 0, 1, linear);
            Matmul.linear(actual, 0, x, 0, 1, linear, two);
            for (int o = 0; o < out; o++) {
                String what = linear + " output " + o + ": expected " + expected[o] + ", got " + actual[o];
                if (Float.isNaN(expected[o]) || Float.isInfinite(expected[o])) {
                    assertThat(Float.floatToIntBits(actual[o])).as(what).isEqualTo(Float.floatToIntBits(expected[o]));
                } else {
                    assertThat(Math.abs(actual[o] - expected[o])).as(what).isLessThanOrEqualTo(1e-5f * 65504 * 4);
                }
            }
            assertThat(expected[0]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(expected[4]).isFinite();
        }
    }

    @Test
    void f16DotProductsAgainstScaledInputsMatchTheExactPathBitForBit() {
        // the F16 [out, in] GEMV multiplies x by 2^112 once per call instead of each converted
        // weight; an x with an element of 2^15 or more, or not finite, takes the exact path
        // (rows widened by Float.float16ToFloat). The same products, so the same bits: checked by
        // making one x of each kind that differ only where the weights' column is zero. Rows of
        // 100 inputs (one-row dot products with a scalar tail) and of 6200 (two rows at a time),
        // with subnormal, tiny and the largest halves among the weights.
        Random random = TestData.random("matmul f16 scaled x");
        for (int in : new int[] {100, 6200}) {
            int out = 9;
            int zeroColumn = in / 3;
            float[] w = TestData.normal(random, out * in, 1 / Math.sqrt(in));
            for (int o = 0; o < out; o++) {
                w[o * in + zeroColumn] = 0f;
                w[o * in + (7 * o + 1) % in] = 6e-8f * (o % 2 == 0 ? 1 : -1); // subnormal halves
                w[o * in + (11 * o + 2) % in] = 65504f * (o % 2 == 0 ? -1 : 1);
            }
            Linear linear = Linear.outIn(TestData.tensor(DType.F16, w, 2, out, in), null);
            float[] x = TestData.normal(random, in, 1.0);
            x[(5 % in)] = 3e-39f; // a subnormal input, scaled up exactly
            float[] scaled = new float[out];
            float[] exact = new float[out];
            float[] expected = new float[out];
            MatmulReference.linear(expected, 0, x, 0, 1, linear);
            x[zeroColumn] = 1f;
            Matmul.linear(scaled, 0, x, 0, 1, linear, two);
            x[zeroColumn] = 0x1p15f;
            Matmul.linear(exact, 0, x, 0, 1, linear, two);
            TestData.assertBitIdentical("F16 [" + out + ", " + in + "], x scaled against exact", exact, scaled);
            TestData.assertWithin("F16 [" + out + ", " + in + "] against the reference", expected, scaled,
                    bounds(x, 0, 1, linear, 0));
            x[zeroColumn] = 1e6f; // 1e6 · 2^112 overflows to infinity, and 0 · infinity is NaN
            Matmul.linear(exact, 0, x, 0, 1, linear, two);
            TestData.assertBitIdentical("F16 [" + out + ", " + in + "], an x of 1e6", scaled, exact);
            x[zeroColumn] = Float.NaN;
            Matmul.linear(exact, 0, x, 0, 1, linear, two);
            for (float y : exact) {
                assertThat(y).as("a NaN input reaches every output (0 · NaN)").isNaN();
            }
        }
    }

    @Test
    void f16InOutRowsAgainstScaledInputsGiveTheExactFmaChain() {
        // the F16 [in, out] GEMV converts each half without the infinity/NaN blend (its value times
        // 2^-112) against x[i] times 2^112; a row whose x[i] is 2^15 or more goes through the exact
        // conversion, and a weight with an infinity takes it for every row. Each output must be
        // the plain FMA chain over the inputs in order, bit for bit: narrow outputs (one row per
        // pass, 1501) and wide ones (sixteen rows per pass, 4099), 333 inputs (one chain; from 512 on
        // the inputs are summed in parts), subnormal and the largest halves among the weights.
        Random random = TestData.random("matmul f16 in-out scaled x");
        int in = 333;
        for (int out : new int[] {1501, 4099}) {
            for (boolean withInfinity : new boolean[] {false, true}) {
                float[] w = TestData.normal(random, in * out, 1 / Math.sqrt(in));
                for (int i = 0; i < in; i++) {
                    w[i * out + (7 * i + 1) % out] = 6e-8f * (i % 2 == 0 ? 1 : -1);
                    w[i * out + (11 * i + 2) % out] = 65504f * (i % 2 == 0 ? -1 : 1);
                }
                if (withInfinity) {
                    w[100 * out + 17] = Float.POSITIVE_INFINITY;
                }
                Tensor weight = TestData.tensor(DType.F16, w, 2, in, out);
                float[] x = TestData.normal(random, in, 1.0);
                x[5] = 3e-39f; // subnormal, scaled up exactly
                x[40] = 0x1p15f; // exact rows in the second half of a sixteen-row group (rows 32-47)
                x[41] = -1e6f;
                x[66] = -1e6f; // and in the first half of another (rows 64-79)
                x[in - 1] = 0x1p16f; // exact row among the rows left over after the sixteen-row groups
                float[] expected = new float[out];
                for (int o = 0; o < out; o++) {
                    float acc = 0f;
                    for (int i = 0; i < in; i++) {
                        long at = weight.byteOffset() + 2L * ((long) i * out + o);
                        acc = Math.fma(Float.float16ToFloat(weight.segment().get(HALF, at)), x[i], acc);
                    }
                    expected[o] = acc;
                }
                float[] actual = new float[out];
                Matmul.linear(actual, 0, x, 0, 1, Linear.inOut(weight, null), two);
                TestData.assertBitIdentical("F16 [" + in + ", " + out + "]" + (withInfinity ? " with an infinity" : ""),
                        expected, actual);
            }
        }
    }

    @Test
    void inOutRowsGiveTheSameBitsAloneAsInABatch() {
        // the IN_OUT GEMV and the GEMM compute each output as the same FMA chain, for fewer than
        // 512 inputs (from 512 on, a one-row product of narrow [in, out] weights is summed in four
        // parts over the inputs, so that threads can share it: a different order)
        Random random = TestData.random("matmul gemv vs gemm");
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int out : new int[] {301, 1501}) {
                Linear linear = randomLinear(random, 333, out, Linear.Layout.IN_OUT, dtype, true);
                int rows = 9;
                float[] x = TestData.normal(random, rows * 333, 1.0);
                float[] batch = new float[rows * out];
                Matmul.linear(batch, 0, x, 0, rows, linear, two);
                float[] single = new float[rows * out];
                for (int r = 0; r < rows; r++) {
                    Matmul.linear(single, r * out, x, r * 333, 1, linear, two);
                }
                TestData.assertBitIdentical(linear.toString(), batch, single);
            }
        }
    }

    @Test
    void arraysTooShortAreRejectedNamingTheShapes() {
        Linear linear = Linear.outIn(Tensor.fromFloats(new float[6 * 4], 6, 4), null);
        assertThatThrownBy(() -> Matmul.linear(new float[12], 0, new float[7], 0, 2, linear, two))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input [2, 4]")
                .hasMessageContaining("4 -> 6");
        assertThatThrownBy(() -> Matmul.linear(new float[11], 0, new float[8], 0, 2, linear, two))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output [2, 6]");
        assertThatThrownBy(() -> Matmul.linear(new float[12], 1, new float[8], 0, 2, linear, two))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output [2, 6]");
    }

    @Test
    void badWeightsAreRejectedNamingTheShapes() {
        Tensor w = Tensor.fromFloats(new float[6 * 4], 6, 4);
        assertThatThrownBy(() -> Linear.outIn(w, Tensor.fromFloats(new float[4], 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[4]")
                .hasMessageContaining("[6, 4]");
        assertThatThrownBy(() -> Linear.inOut(w.transpose(0, 1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contiguous");
        assertThatThrownBy(() -> Linear.outIn(Tensor.fromFloats(new float[4], 4), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2-D");
    }

    static Linear randomLinear(Random random, int in, int out, Linear.Layout layout, DType dtype, boolean bias) {
        float[] w = TestData.normal(random, in * out, 1 / Math.sqrt(in));
        int misalign = dtype.byteSize() * (1 + random.nextInt(7)) + (random.nextBoolean() ? 0 : 2);
        Tensor weight = layout == Linear.Layout.OUT_IN
                ? TestData.tensor(dtype, w, misalign, out, in)
                : TestData.tensor(dtype, w, misalign, in, out);
        Tensor b = bias ? TestData.tensor(dtype, TestData.normal(random, out, 0.5), 2, out) : null;
        return layout == Linear.Layout.OUT_IN ? Linear.outIn(weight, b) : Linear.inOut(weight, b);
    }

    /** Per output: 1e-5·(Σ_i |x_i·w_io| + |b_o|), from the weights as stored. */
    static double[] bounds(float[] x, int xOffset, int rows, Linear linear, int yOffset) {
        float[] w = linear.weight().toFloatArray();
        float[] b = linear.bias() == null ? null : linear.bias().toFloatArray();
        int in = linear.in();
        int out = linear.out();
        double[] bound = new double[yOffset + rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double magnitude = b == null ? 0 : Math.abs(b[o]);
                for (int i = 0; i < in; i++) {
                    float wv = linear.layout() == Linear.Layout.OUT_IN ? w[o * in + i] : w[i * out + o];
                    magnitude += Math.abs((double) x[xOffset + r * in + i] * wv);
                }
                bound[yOffset + r * out + o] = TOLERANCE * magnitude + Float.MIN_NORMAL;
            }
        }
        return bound;
    }
}
