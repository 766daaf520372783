package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LayerNorm, GELUs, softmax, RoPE, embeddings and vector math against their scalar twins on
 * random inputs of awkward sizes, written at an offset into a larger array whose other elements
 * must stay untouched. Tolerances are stated per kernel.
 */
class ElementwiseKernelsTest {
    private static final int PAD = 7;
    private static final DType[] FLOAT_TYPES = {DType.F32, DType.F16, DType.BF16};

    /** A copy of {@code values} with PAD sentinel floats on each side. */
    private static float[] padded(float[] values) {
        float[] a = new float[values.length + 2 * PAD];
        Arrays.fill(a, 12345.5f);
        System.arraycopy(values, 0, a, PAD, values.length);
        return a;
    }

    private static void assertPaddingUntouched(String what, float[] a, int n) {
        for (int i = 0; i < PAD; i++) {
            assertThat(a[i]).as(what + " before the range").isEqualTo(12345.5f);
            assertThat(a[PAD + n + i]).as(what + " after the range").isEqualTo(12345.5f);
        }
    }

    /** GELU erf: |simd − exact| ≤ 2e-6·|exact| + 2e-8 (the tail below x = −3 is exact to 4e-6 relative). */
    @Test
    void geluErfMatchesTheExactFunction() {
        Random random = TestData.random("geluErf");
        for (int n : TestData.AWKWARD_SIZES) {
            float[] x = padded(TestData.normal(random, n, 3.0));
            float[] expected = x.clone();
            ActivationsReference.geluErf(expected, PAD, n);
            Activations.geluErf(x, PAD, n);
            TestData.assertWithin("geluErf n=" + n, expected, x, TestData.bound(expected, 2e-8, 2e-6));
            assertPaddingUntouched("geluErf", x, n);
        }
    }

    /** GELU erf on a dense sweep of [-10, 10]: relative error 2e-6 down to x = −3, 1e-5 down to −6. */
    @Test
    void geluErfIsAccurateEverywhere() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -10f + 20f * i / (n - 1);
        }
        float[] expected = x.clone();
        ActivationsReference.geluErf(expected, 0, n);
        Activations.geluErf(x, 0, n);
        double[] bound = new double[n];
        for (int i = 0; i < n; i++) {
            float input = -10f + 20f * i / (n - 1);
            double rel = input >= -3 ? 2e-6 : input >= -6 ? 1e-5 : 1e-3;
            bound[i] = rel * Math.abs(expected[i]) + 1e-30;
        }
        TestData.assertWithin("geluErf sweep", expected, x, bound);
    }

    /** GELU tanh: |simd − exact| ≤ 1e-6·|exact| + 1e-8. */
    @Test
    void geluTanhMatchesTheExactFunction() {
        Random random = TestData.random("geluTanh");
        for (int n : TestData.AWKWARD_SIZES) {
            float[] x = padded(TestData.normal(random, n, 3.0));
            float[] expected = x.clone();
            ActivationsReference.geluTanh(expected, PAD, n);
            Activations.geluTanh(x, PAD, n);
            TestData.assertWithin("geluTanh n=" + n, expected, x, TestData.bound(expected, 1e-8, 1e-6));
            assertPaddingUntouched("geluTanh", x, n);
        }
    }

    /** Softmax: |simd − reference| ≤ 1e-5·|reference| + 1e-12 (summation order and a 1-ulp exp). */
    @Test
    void softmaxMatchesReference() {
        Random random = TestData.random("softmax");
        for (int n : TestData.AWKWARD_SIZES) {
            float[] x = padded(TestData.normal(random, n, 5.0));
            x[PAD + random.nextInt(n)] = Float.NEGATIVE_INFINITY; // a masked entry becomes 0
            float[] expected = x.clone();
            SoftmaxReference.softmax(expected, PAD, n);
            Softmax.softmax(x, PAD, n);
            TestData.assertWithin("softmax n=" + n, expected, x, TestData.bound(expected, 1e-12, 1e-5));
            assertPaddingUntouched("softmax", x, n);
        }
    }

    @Test
    void causalSoftmaxMatchesReference() {
        Random random = TestData.random("causal softmax");
        int[][] shapes = {{1, 1, 1}, {3, 17, 15}, {17, 65, 49}, {5, 769, 3}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            float[] x = padded(TestData.normal(random, rows * cols, 4.0));
            float[] expected = x.clone();
            SoftmaxReference.causal(expected, PAD, rows, cols, s[2]);
            Softmax.causal(x, PAD, rows, cols, s[2]);
            TestData.assertWithin("causal softmax " + Arrays.toString(s), expected, x,
                    TestData.bound(expected, 1e-12, 1e-5));
            assertPaddingUntouched("causal softmax", x, rows * cols);
        }
        assertThatThrownBy(() -> Softmax.causal(new float[12], 0, 3, 4, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 rows")
                .hasMessageContaining("4 columns");
    }

    /** LayerNorm: |simd − reference| ≤ 1e-5·(|reference| + 1), the two differing only in summation order. */
    @Test
    void layerNormMatchesReference() {
        Random random = TestData.random("layernorm");
        for (int dim : TestData.AWKWARD_SIZES) {
            for (DType dtype : FLOAT_TYPES) {
                for (boolean withBias : new boolean[] {true, false}) {
                    int rows = 3;
                    float[] x = TestData.normal(random, rows * dim, 2.0);
                    for (int i = 0; i < x.length; i++) {
                        x[i] += 1.5f;
                    }
                    Tensor w = TestData.tensor(dtype, TestData.normal(random, dim, 1.0), 2, dim);
                    Tensor b = withBias ? TestData.tensor(dtype, TestData.normal(random, dim, 1.0), 6, dim) : null;
                    float[] expected = new float[rows * dim + 2 * PAD];
                    float[] actual = padded(new float[rows * dim]);
                    NormsReference.layerNorm(expected, PAD, x, 0, rows, dim, w, b, 1e-5f);
                    Norms.layerNorm(actual, PAD, x, 0, rows, dim, w, b, 1e-5f);
                    System.arraycopy(actual, 0, expected, 0, PAD);
                    System.arraycopy(actual, PAD + rows * dim, expected, PAD + rows * dim, PAD);
                    TestData.assertWithin("layernorm dim=" + dim + " " + dtype + " bias=" + withBias, expected,
                            actual, TestData.bound(expected, 1e-5, 1e-5));
                    assertPaddingUntouched("layernorm", actual, rows * dim);
                }
            }
        }
    }

    @Test
    void layerNormInPlace() {
        Random random = TestData.random("layernorm in place");
        float[] x = TestData.normal(random, 2 * 769, 1.0);
        Tensor w = TestData.tensor(DType.F32, TestData.normal(random, 769, 1.0), 0, 769);
        float[] expected = new float[x.length];
        NormsReference.layerNorm(expected, 0, x, 0, 2, 769, w, null, 1e-5f);
        Norms.layerNorm(x, 0, x, 0, 2, 769, w, null, 1e-5f);
        TestData.assertWithin("layernorm in place", expected, x, TestData.bound(expected, 1e-5, 1e-5));
    }

    @Test
    void layerNormRejectsBadParameters() {
        Tensor w = Tensor.fromFloats(new float[8], 8);
        assertThatThrownBy(() -> Norms.layerNorm(new float[16], 0, new float[16], 0, 2, 9, w, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 9")
                .hasMessageContaining("[8]");
        assertThatThrownBy(() -> Norms.layerNorm(new float[16], 0, new float[15], 0, 2, 8, w, null, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input [2, 8]");
        assertThatThrownBy(() -> Norms.layerNorm(new float[16], 0, new float[16], 0, 2, 8, w,
                Tensor.fromFloats(new float[7], 7), 1e-5f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias");
    }

    /** RoPE: the same rounded products and sums as the scalar twin, so the results are bit-identical. */
    @Test
    void ropeMatchesReferenceBitForBit() {
        Random random = TestData.random("rope");
        int[][] shapes = {
            // rows, heads, headDim, rotaryDims, start
            {1, 1, 2, 2, 0}, {3, 2, 17, 6, 5}, {5, 3, 64, 16, 100}, {2, 4, 80, 20, 7}, {4, 2, 128, 128, 1},
            {1, 12, 64, 64, 2000}, {2, 1, 96, 66, 0},
        };
        for (int[] s : shapes) {
            RopeTable table = RopeTable.create(s[3], 10000, 2048 + 8);
            int n = s[0] * s[1] * s[2];
            float[] x = padded(TestData.normal(random, n, 1.0));
            float[] expected = x.clone();
            RopeReference.apply(expected, PAD, s[0], s[1], s[2], s[4], table);
            Rope.apply(x, PAD, s[0], s[1], s[2], s[4], table);
            TestData.assertBitIdentical("rope " + Arrays.toString(s), expected, x);
        }
        RopeTable table = RopeTable.create(8, 10000, 16);
        assertThatThrownBy(() -> Rope.apply(new float[64], 0, 2, 2, 16, 15, table))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions [15, 17)");
        assertThatThrownBy(() -> Rope.apply(new float[64], 0, 2, 2, 6, 0, table))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head dim 6");
        assertThatThrownBy(() -> Rope.apply(new float[63], 0, 2, 2, 16, 0, table))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 2, 16]");
    }

    /** Embedding rows and positions widen F16/BF16 exactly: compared bit for bit with Tensor.getFloat. */
    @Test
    void embeddingsWidenExactly() {
        Random random = TestData.random("embeddings");
        for (int dim : new int[] {1, 17, 63, 65, 767}) {
            for (DType dtype : FLOAT_TYPES) {
                int rows = 11;
                Tensor table = TestData.tensor(dtype, TestData.normal(random, rows * dim, 1.0), 2, rows, dim);
                int[] ids = {3, 0, 10, 3};
                float[] out = padded(new float[ids.length * dim]);
                Embeddings.lookup(out, PAD, table, ids, 0, ids.length);
                float[] expected = out.clone();
                for (int i = 0; i < ids.length; i++) {
                    for (int d = 0; d < dim; d++) {
                        expected[PAD + i * dim + d] = table.getFloat(ids[i], d);
                    }
                }
                TestData.assertBitIdentical("lookup " + dtype + " dim=" + dim, expected, out);
                Tensor positions = TestData.tensor(dtype, TestData.normal(random, rows * dim, 1.0), 4, rows, dim);
                Embeddings.addPositions(out, PAD, positions, 6, ids.length);
                for (int i = 0; i < ids.length; i++) {
                    for (int d = 0; d < dim; d++) {
                        expected[PAD + i * dim + d] += positions.getFloat(6 + i, d);
                    }
                }
                TestData.assertBitIdentical("positions " + dtype + " dim=" + dim, expected, out);
                assertPaddingUntouched("embeddings", out, ids.length * dim);
            }
        }
        Tensor table = Tensor.fromFloats(new float[12], 3, 4);
        assertThatThrownBy(() -> Embeddings.lookup(new float[8], 0, table, new int[] {0, 3}, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 3");
        assertThatThrownBy(() -> Embeddings.addPositions(new float[8], 0, table, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions [2, 4)");
        assertThatThrownBy(() -> Embeddings.lookup(new float[7], 0, table, new int[] {0, 1}, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 4]");
    }

    @Test
    void vectorMathMatchesReference() {
        Random random = TestData.random("vector math");
        for (int n : TestData.AWKWARD_SIZES) {
            float[] a = padded(TestData.normal(random, n, 1.0));
            float[] b = TestData.normal(random, n, 1.0);
            float[] expected = a.clone();
            VectorMathReference.add(expected, PAD, b, 0, n);
            VectorMath.add(a, PAD, b, 0, n);
            TestData.assertBitIdentical("add n=" + n, expected, a);

            float[] x = TestData.normal(random, n, 1.0);
            if (n > 2) {
                x[n / 2] = Float.NaN;
                x[n - 1] = x[1]; // a tie
            }
            assertThat(VectorMath.argmax(x, 0, n)).as("argmax n=" + n).isEqualTo(VectorMathReference.argmax(x, 0, n));
            for (int k : new int[] {0, 1, 5, 40}) {
                int[] ei = new int[k];
                float[] ev = new float[k];
                int[] ai = new int[k];
                float[] av = new float[k];
                int en = VectorMathReference.topK(x, 0, n, k, ei, ev);
                int an = VectorMath.topK(x, 0, n, k, ai, av);
                assertThat(an).isEqualTo(en);
                assertThat(ai).as("topK n=" + n + " k=" + k).containsExactly(ei);
                assertThat(av).containsExactly(ev);
            }
        }
        float[] ties = new float[100];
        Arrays.fill(ties, 2f);
        ties[70] = 3f;
        ties[90] = 3f;
        assertThat(VectorMath.argmax(ties, 0, 100)).isEqualTo(70);
        int[] idx = new int[3];
        float[] val = new float[3];
        VectorMath.topK(ties, 0, 100, 3, idx, val);
        assertThat(idx).containsExactly(70, 90, 0);
        assertThat(VectorMath.argmax(new float[] {Float.NaN, Float.NaN}, 0, 2)).isZero();
        assertThat(VectorMath.argmax(new float[] {Float.NaN, Float.NEGATIVE_INFINITY}, 0, 2)).isEqualTo(1);
        assertThatThrownBy(() -> VectorMath.add(new float[4], 0, new float[3], 0, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add source");
    }
}
