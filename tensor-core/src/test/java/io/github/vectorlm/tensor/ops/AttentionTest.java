package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Causal attention against {@link AttentionReference}: |simd − reference| ≤ 1e-5·(|reference| + 1)
 * for values of order 1 (summation order and a 1-ulp exp differ); and bit-identical results for 1,
 * 2 and 3 threads.
 */
class AttentionTest {
    private static final int[][] CASES = {
        // nNew, start, heads, headDim
        {1, 0, 1, 1}, {1, 17, 3, 17}, {5, 0, 2, 64}, {3, 60, 12, 64}, {17, 13, 1, 80}, {1, 1023, 2, 64},
        {4, 2, 3, 3}, {2, 40, 2, 96}, {3, 20, 1, 128}, {1, 31, 2, 80}, {20, 0, 2, 64},
        // several new positions: heads transposed, groups of four queries, leftovers, chunks of 64
        {4, 0, 1, 16}, {7, 9, 2, 32}, {63, 0, 2, 32}, {70, 5, 3, 64}, {9, 100, 2, 96}, {130, 0, 1, 48},
        {65, 3, 1, 24},
    };

    @Test
    void matchesReference() {
        Random random = TestData.random("attention");
        try (Parallel parallel = Parallel.create(2)) {
            for (int[] c : CASES) {
                int nNew = c[0];
                int start = c[1];
                int width = c[2] * c[3];
                int capacity = start + nNew + 3;
                float[] q = TestData.normal(random, 2 + nNew * width, 1.0);
                float[] keys = TestData.normal(random, capacity * width, 1.0);
                float[] values = TestData.normal(random, capacity * width, 1.0);
                float[] expected = new float[1 + nNew * width];
                float[] actual = new float[1 + nNew * width];
                AttentionReference.causal(expected, 1, q, 2, nNew, start, keys, values, c[2], c[3]);
                float[] scratch = new float[Attention.scratchSize(capacity, c[3], parallel)];
                Attention.causal(actual, 1, q, 2, nNew, start, keys, values, c[2], c[3], scratch, parallel);
                TestData.assertWithin("attention " + Arrays.toString(c), expected, actual,
                        TestData.bound(expected, 1e-5, 1e-5));
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Random random = TestData.random("attention threads");
        int nNew = 150; // enough work that the call is split over threads, in several chunks of queries
        int start = 300;
        int heads = 5;
        int headDim = 64;
        int width = heads * headDim;
        float[] q = TestData.normal(random, nNew * width, 1.0);
        float[] keys = TestData.normal(random, (start + nNew) * width, 1.0);
        float[] values = TestData.normal(random, (start + nNew) * width, 1.0);
        float[][] results = new float[3][];
        for (int t = 1; t <= 3; t++) {
            try (Parallel parallel = Parallel.create(t)) {
                results[t - 1] = new float[nNew * width];
                float[] scratch = new float[Attention.scratchSize(start + nNew, headDim, parallel)];
                Attention.causal(results[t - 1], 0, q, 0, nNew, start, keys, values, heads, headDim, scratch,
                        parallel);
            }
        }
        TestData.assertBitIdentical("1 vs 2 threads", results[0], results[1]);
        TestData.assertBitIdentical("1 vs 3 threads", results[0], results[2]);
    }

    @Test
    void badArgumentsAreRejectedNamingTheShapes() {
        try (Parallel parallel = Parallel.create(2)) {
            float[] q = new float[2 * 8];
            float[] cache = new float[5 * 8];
            float[] scratch = new float[Attention.scratchSize(5, 4, parallel)];
            assertThatThrownBy(() -> Attention.causal(new float[16], 0, q, 0, 2, 4, cache, cache, 2, 4, scratch,
                    parallel)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys [6, 2, 4]");
            assertThatThrownBy(() -> Attention.causal(new float[15], 0, q, 0, 2, 3, cache, cache, 2, 4, scratch,
                    parallel)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output [2, 2, 4]");
            assertThatThrownBy(() -> Attention.causal(new float[16], 0, q, 0, 2, 3, cache, cache, 2, 4,
                    new float[8], parallel)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("scratch");
        }
    }
}
