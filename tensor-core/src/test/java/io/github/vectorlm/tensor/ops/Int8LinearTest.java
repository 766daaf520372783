package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LLM.int8() layer against {@link MatmulReference}'s plain-loop twin. The integer part is exact
 * in both, so one row (int32 sums) and several rows with fewer than 1040 inputs (f32 sums of
 * integers below 2^24) must agree bit for bit; beyond that the f32 GEMM may round its integer sums,
 * bounded by 1e-6 of |Σ qx·qw|·sx·sw.
 */
class Int8LinearTest {
    private static Parallel two;

    @BeforeAll
    static void pool() {
        two = Parallel.create(2);
    }

    @AfterAll
    static void close() {
        two.close();
    }

    /** Activations of scale 1 with a few outlier columns (|x| up to 20) in a few rows. */
    private static float[] activations(Random random, int rows, int in, int outlierColumns) {
        float[] x = TestData.normal(random, rows * in, 1.0);
        for (int k = 0; k < outlierColumns; k++) {
            int column = random.nextInt(in);
            int row = random.nextInt(rows);
            x[row * in + column] = (random.nextBoolean() ? 1 : -1) * (7 + 13 * random.nextFloat());
        }
        return x;
    }

    @Test
    void matchesTheReferenceExactlyWhereTheIntegerSumsAreExact() {
        Random random = TestData.random("int8 vs reference");
        int[][] shapes = {{1, 1, 1}, {1, 63, 65}, {1, 767, 769}, {1, 3073, 130}, {2, 65, 63}, {5, 769, 97},
            {33, 129, 257}, {9, 3073, 70}};
        for (int[] s : shapes) {
            for (Linear.Layout layout : Linear.Layout.values()) {
                for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                    int rows = s[0];
                    int in = s[1];
                    int out = s[2];
                    Linear source = MatmulTest.randomLinear(random, in, out, layout, dtype, random.nextBoolean());
                    Int8Linear int8 = Int8Linear.quantize(source);
                    float[] x = activations(random, rows, in, Math.min(in, 4));
                    float[] expected = new float[rows * out];
                    float[] actual = new float[rows * out];
                    MatmulReference.linear(expected, 0, x, 0, rows, int8);
                    Matmul.linear(actual, 0, x, 0, rows, int8, two);
                    String what = rows + "x" + in + "x" + out + " " + layout + " " + dtype;
                    if (rows == 1 || in < 1040) {
                        TestData.assertBitIdentical(what, expected, actual);
                    } else {
                        TestData.assertWithin(what, expected, actual, roundingBounds(int8, x, rows));
                    }
                }
            }
        }
    }

    /** 1e-6·|Σ qx·qw|·sx·sw plus a little for the f32 outlier and bias terms that follow. */
    private static double[] roundingBounds(Int8Linear int8, float[] x, int rows) {
        int in = int8.in();
        int out = int8.out();
        double[] bound = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            double absmax = 0;
            for (int i = 0; i < in; i++) {
                float v = Math.abs(x[r * in + i]);
                if (v <= int8.threshold()) {
                    absmax = Math.max(absmax, v);
                }
            }
            for (int o = 0; o < out; o++) {
                double magnitude = 0;
                for (int i = 0; i < in; i++) {
                    magnitude += Math.abs(int8.quantizedWeight().getLong(o, i)) * 127.0;
                }
                bound[r * out + o] = 1e-6 * magnitude * absmax / 127 * int8.scale(o) + 1e-5;
            }
        }
        return bound;
    }

    @Test
    void staysCloseToTheFloatLayerAndOutliersAreExact() {
        Random random = TestData.random("int8 vs f32");
        int in = 768;
        int out = 256;
        Linear source = MatmulTest.randomLinear(random, in, out, Linear.Layout.OUT_IN, DType.F32, true);
        Int8Linear int8 = Int8Linear.quantize(source);
        float[] x = activations(random, 3, in, 0);
        float[] exact = new float[3 * out];
        float[] quantized = new float[3 * out];
        Matmul.linear(exact, 0, x, 0, 3, source, two);
        Matmul.linear(quantized, 0, x, 0, 3, int8, two);
        double[] bound = noiseBounds(int8, source, x, 3);
        TestData.assertWithin("int8 close to f32", exact, quantized, bound);

        // a large outlier in one column: the int8 part must not lose the rest of the row to it
        float[] withOutlier = x.clone();
        withOutlier[100] = 60f;
        float[] exactOutlier = new float[3 * out];
        Matmul.linear(exactOutlier, 0, withOutlier, 0, 3, source, two);
        Matmul.linear(quantized, 0, withOutlier, 0, 3, int8, two);
        TestData.assertWithin("int8 with an outlier column close to f32", exactOutlier, quantized,
                noiseBounds(int8, source, withOutlier, 3));
        Int8Linear noDecomposition = Int8Linear.quantize(source, Float.POSITIVE_INFINITY, Arena.ofAuto());
        Matmul.linear(quantized, 0, withOutlier, 0, 3, noDecomposition, two);
        double worst = 0;
        for (int o = 0; o < out; o++) {
            worst = Math.max(worst, Math.abs(quantized[o] - exactOutlier[o]));
        }
        assertThat(worst).as("without the outlier decomposition row 0 loses precision").isGreaterThan(0.05);
    }

    /**
     * Five standard deviations of the rounding noise: each product x·w gains sx·δw·x-ish terms with
     * δ uniform in ±½ step, so per output σ² = Σ_i (sx²·w_i² + sw²·x_i²)/12 over the non-outlier inputs.
     */
    private static double[] noiseBounds(Int8Linear int8, Linear source, float[] x, int rows) {
        int in = int8.in();
        int out = int8.out();
        float[] w = source.weight().toFloatArray(); // OUT_IN
        double[] bound = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            double absmax = 0;
            for (int i = 0; i < in; i++) {
                float v = Math.abs(x[r * in + i]);
                if (v <= int8.threshold()) {
                    absmax = Math.max(absmax, v);
                }
            }
            double sx = absmax / 127;
            for (int o = 0; o < out; o++) {
                double sw = int8.scale(o);
                double variance = 0;
                for (int i = 0; i < in; i++) {
                    double xi = x[r * in + i];
                    if (Math.abs(xi) <= int8.threshold()) {
                        double wi = w[o * in + i];
                        variance += (sx * sx * wi * wi + sw * sw * xi * xi) / 12;
                    }
                }
                bound[r * out + o] = 5 * Math.sqrt(variance) + 1e-6;
            }
        }
        return bound;
    }

    @Test
    void quantizationFollowsTheVectorWiseRule() {
        float[] w = {0.5f, -1.0f, 0.25f, 0f, 0f, 0f, 3f, -0.0234f, 1.5f};
        Linear source = Linear.outIn(Tensor.fromFloats(w, 3, 3), null);
        Int8Linear int8 = Int8Linear.quantize(source);
        Tensor q = int8.quantizedWeight();
        assertThat(q.dtype()).isEqualTo(DType.I8);
        assertThat(int8.scale(0)).isEqualTo(1.0f / 127f);
        assertThat(q.getLong(0, 0)).isEqualTo(64); // 63.5 rounds to even
        assertThat(q.getLong(0, 1)).isEqualTo(-127);
        assertThat(q.getLong(0, 2)).isEqualTo(32); // 31.75
        assertThat(int8.scale(1)).isZero();
        assertThat(q.getLong(1, 0)).isZero();
        assertThat(q.getLong(2, 0)).isEqualTo(127);
        assertThat(q.getLong(2, 1)).isEqualTo(-1); // -0.99
        assertThat(q.getLong(2, 2)).isEqualTo(64); // 63.5 rounds to even
        // an IN_OUT source is quantized per output too, i.e. per column of its stored matrix
        Int8Linear fromInOut = Int8Linear.quantize(Linear.inOut(Tensor.fromFloats(w, 3, 3).transpose(0, 1)
                .contiguous(), null));
        for (int o = 0; o < 3; o++) {
            assertThat(fromInOut.scale(o)).isEqualTo(int8.scale(o));
            for (int i = 0; i < 3; i++) {
                assertThat(fromInOut.quantizedWeight().getLong(o, i)).isEqualTo(q.getLong(o, i));
            }
        }
        assertThatThrownBy(() -> Int8Linear.quantize(source, 0f, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Random random = TestData.random("int8 threads");
        Linear source = MatmulTest.randomLinear(random, 300, 1000, Linear.Layout.IN_OUT, DType.BF16, true);
        Int8Linear int8 = Int8Linear.quantize(source);
        for (int rows : new int[] {1, 7}) {
            float[] x = activations(random, rows, 300, 3);
            float[][] y = new float[3][rows * 1000];
            for (int t = 1; t <= 3; t++) {
                try (Parallel p = Parallel.create(t)) {
                    Matmul.linear(y[t - 1], 0, x, 0, rows, int8, p);
                }
            }
            TestData.assertBitIdentical("rows " + rows + ", 1 vs 2 threads", y[0], y[1]);
            TestData.assertBitIdentical("rows " + rows + ", 1 vs 3 threads", y[0], y[2]);
        }
        assertThatThrownBy(() -> Matmul.linear(new float[999], 0, new float[300], 0, 1, int8, two))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output [1, 1000]");
    }
}
