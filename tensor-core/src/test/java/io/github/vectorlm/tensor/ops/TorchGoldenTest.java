package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernels against PyTorch (CPU, float32) outputs in {@code golden/kernels.json}, written by
 * {@code tools/make_kernel_golden.py} with Debian's torch 1.13. Each tolerance is stated where it
 * is used and is far below the size of any indexing or formula mistake.
 */
class TorchGoldenTest {
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TorchGoldenTest.class.getResourceAsStream("/golden/kernels.json")) {
            assertThat(in).as("golden/kernels.json on the test class path").isNotNull();
            golden = new ObjectMapper().readTree(in);
        }
        System.out.println("golden values from torch " + golden.get("torch").asText());
    }

    private static float[] floats(JsonNode node) {
        float[] a = new float[node.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) node.get(i).asDouble();
        }
        return a;
    }

    /** LayerNorm with and without bias: |ours − torch| ≤ 2e-6·(|torch| + 1). */
    @Test
    void layerNorm() {
        JsonNode g = golden.get("layerNorm");
        int rows = g.get("rows").asInt();
        int dim = g.get("dim").asInt();
        float[] x = floats(g.get("input"));
        Tensor w = Tensor.fromFloats(floats(g.get("weight")), dim);
        Tensor b = Tensor.fromFloats(floats(g.get("bias")), dim);
        float eps = (float) g.get("eps").asDouble();
        float[] expected = floats(g.get("output"));
        float[] out = new float[rows * dim];
        Norms.layerNorm(out, 0, x, 0, rows, dim, w, b, eps);
        TestData.assertWithin("layernorm", expected, out, TestData.bound(expected, 2e-6, 2e-6));
        float[] expectedNoBias = floats(g.get("outputNoBias"));
        Norms.layerNorm(out, 0, x, 0, rows, dim, w, null, eps);
        TestData.assertWithin("layernorm without bias", expectedNoBias, out,
                TestData.bound(expectedNoBias, 2e-6, 2e-6));
    }

    /**
     * Exact GELU: |ours − torch| ≤ 3e-7·|x| + 2e-6·|torch| + 1e-9. The 3e-7·|x| term is PyTorch's
     * own error: its CPU kernel evaluates erf by Abramowitz–Stegun 7.1.26 in float (≈5e-7 absolute).
     */
    @Test
    void geluErf() {
        JsonNode g = golden.get("gelu");
        float[] x = floats(g.get("input"));
        float[] expected = floats(g.get("erf"));
        float[] out = x.clone();
        Activations.geluErf(out, 0, out.length);
        double[] bound = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            bound[i] = 3e-7 * Math.abs(x[i]) + 2e-6 * Math.abs(expected[i]) + 1e-9;
        }
        TestData.assertWithin("gelu erf", expected, out, bound);
    }

    /**
     * GELU tanh approximation: |ours − torch| ≤ 2e-6·|torch| + 1e-7·|x| + 1e-12. The |x| term is
     * PyTorch's own error: it forms 1 + tanh(u) in float, which is 0 once tanh(u) rounds to −1
     * (x below about −5.5), where the true value is still around −1e-9.
     */
    @Test
    void geluTanh() {
        JsonNode g = golden.get("gelu");
        float[] x = floats(g.get("input"));
        float[] expected = floats(g.get("tanh"));
        float[] out = x.clone();
        Activations.geluTanh(out, 0, out.length);
        double[] bound = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            bound[i] = 2e-6 * Math.abs(expected[i]) + 1e-7 * Math.abs(x[i]) + 1e-12;
        }
        TestData.assertWithin("gelu tanh", expected, out, bound);
    }

    /** Softmax of large logits (fails without max subtraction): |ours − torch| ≤ 1e-6·|torch| + 1e-12. */
    @Test
    void softmax() {
        JsonNode g = golden.get("softmax");
        float[] expected = floats(g.get("output"));
        float[] out = floats(g.get("input"));
        Softmax.softmax(out, 0, out.length);
        TestData.assertWithin("softmax", expected, out, TestData.bound(expected, 1e-12, 1e-6));
    }

    /** Causal softmax: masked entries exactly 0, the rest within 1e-6·|torch| + 1e-12. */
    @Test
    void causalSoftmax() {
        JsonNode g = golden.get("causalSoftmax");
        float[] expected = floats(g.get("output"));
        float[] out = floats(g.get("input"));
        Softmax.causal(out, 0, g.get("rows").asInt(), g.get("cols").asInt(), g.get("firstRowLength").asInt());
        TestData.assertWithin("causal softmax", expected, out, TestData.bound(expected, 1e-12, 1e-6));
        for (int i = 0; i < out.length; i++) {
            if (expected[i] == 0f) {
                assertThat(out[i]).as("masked entry " + i).isZero();
            }
        }
    }

    /**
     * Partial NeoX rotary embedding at a position offset. The table must match Hugging Face's
     * float32 cos/sin to 2 ulp (PyTorch's float cos/sin and Java's correctly rounded ones may
     * differ in the last bit), and the rotated values to 1e-6 absolute (values of order 1).
     */
    @Test
    void ropeNeoxPartialWithOffset() {
        JsonNode g = golden.get("rope");
        int rows = g.get("rows").asInt();
        int heads = g.get("heads").asInt();
        int headDim = g.get("headDim").asInt();
        int rotaryDims = g.get("rotaryDims").asInt();
        int maxPositions = g.get("maxPositions").asInt();
        RopeTable table = RopeTable.create(rotaryDims, g.get("base").asDouble(), maxPositions);
        float[] cos = floats(g.get("cos"));
        float[] sin = floats(g.get("sin"));
        int half = rotaryDims / 2;
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                float c = cos[p * half + i];
                float s = sin[p * half + i];
                assertThat((double) table.cos(p, i)).as("cos(%d, %d)", p, i)
                        .isCloseTo(c, org.assertj.core.data.Offset.offset(2.0 * Math.ulp(Math.max(Math.abs(c), 1e-3f))));
                assertThat((double) table.sin(p, i)).as("sin(%d, %d)", p, i)
                        .isCloseTo(s, org.assertj.core.data.Offset.offset(2.0 * Math.ulp(Math.max(Math.abs(s), 1e-3f))));
            }
        }
        float[] expected = floats(g.get("output"));
        float[] out = floats(g.get("input"));
        Rope.apply(out, 0, rows, heads, headDim, g.get("startPosition").asInt(), table);
        TestData.assertWithin("rope", expected, out, TestData.bound(expected, 1e-6, 0));
    }

    /** Causal attention of 4 new queries against a cache of 9 positions: |ours − torch| ≤ 2e-6·(|torch| + 1). */
    @Test
    void attentionWithCacheOffset() {
        JsonNode g = golden.get("attention");
        int heads = g.get("heads").asInt();
        int headDim = g.get("headDim").asInt();
        int start = g.get("startPosition").asInt();
        int nNew = g.get("nNew").asInt();
        float[] expected = floats(g.get("output"));
        float[] out = new float[expected.length];
        try (Parallel parallel = Parallel.create(2)) {
            float[] scratch = new float[Attention.scratchSize(start + nNew, headDim, parallel)];
            Attention.causal(out, 0, floats(g.get("queries")), 0, nNew, start, floats(g.get("keys")),
                    floats(g.get("values")), heads, headDim, scratch, parallel);
        }
        TestData.assertWithin("attention", expected, out, TestData.bound(expected, 2e-6, 2e-6));
    }
}
