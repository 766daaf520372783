package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.tensor.DType;
import java.lang.foreign.Arena;
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
 * What batching rests on: a row's result never depends on the rows computed with it, bit for bit.
 * {@link Matmul#linearEachRow} gives every row what the one-row product gives it alone; a GEMM row
 * is the same in a GEMM of any number of rows; int8 rows are independent; and a prefill's
 * attention rows do not depend on how the prompt was cut into chunks. Thread counts 1 and 2.
 */
class RowInvarianceTest {
    private static Parallel one;
    private static Parallel two;

    @BeforeAll
    static void pools() {
        one = Parallel.create(1);
        two = Parallel.create(2);
    }

    @AfterAll
    static void closePools() {
        one.close();
        two.close();
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[][] sizes = {{7, 5}, {64, 33}, {100, 300}, {773, 41}, {1030, 96}, {768, 2304}};
        for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
            for (Linear.Layout layout : Linear.Layout.values()) {
                if (layout == Linear.Layout.IN_OUT || layout == Linear.Layout.OUT_IN) {
                    for (int[] s : sizes) {
                        b.add(Arguments.of(dtype, layout, s[0], s[1]));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} in={2} out={3}")
    @MethodSource("shapes")
    void eachRowGivesTheOneRowResult(DType dtype, Linear.Layout layout, int in, int out) {
        Random random = new Random(in * 31L + out + dtype.ordinal() * 7L + layout.ordinal());
        Linear linear = MatmulTest.randomLinear(random, in, out, layout, dtype, true);
        for (int rows : new int[] {2, 3, 5, 9, 16}) {
            float[] x = TestData.normal(random, rows * in, 1.0);
            float[] alone = new float[rows * out];
            for (int r = 0; r < rows; r++) {
                Matmul.linear(alone, r * out, x, r * in, 1, linear, one);
            }
            for (Parallel p : new Parallel[] {one, two}) {
                float[] batch = new float[rows * out + 3];
                Matmul.linearEachRow(batch, 3, x, 0, rows, linear, p);
                assertThat(Arrays.copyOfRange(batch, 3, batch.length))
                        .as("%d rows on %d threads", rows, p.threads()).containsExactly(alone);
            }
        }
    }

    @Test
    void f16WithInfinitiesAndLargeInputsTakesTheExactPathAloneAndInBatches() {
        Random random = new Random(5);
        int in = 200;
        int out = 9;
        float[] w = TestData.normal(random, in * out, 0.1);
        w[17] = Float.POSITIVE_INFINITY;
        Linear linear = Linear.outIn(TestData.tensor(DType.F16, w, 2, out, in), null);
        float[] x = TestData.normal(random, 3 * in, 1.0);
        x[5] = 1e6f;
        float[] alone = new float[3 * out];
        for (int r = 0; r < 3; r++) {
            Matmul.linear(alone, r * out, x, r * in, 1, linear, one);
        }
        float[] batch = new float[3 * out];
        Matmul.linearEachRow(batch, 0, x, 0, 3, linear, two);
        assertThat(batch).containsExactly(alone);
    }

    @ParameterizedTest(name = "{1} in={2} out={3}")
    @MethodSource("shapes")
    void gemmRowsDoNotDependOnTheOtherRows(DType dtype, Linear.Layout layout, int in, int out) {
        Random random = new Random(in * 17L + out + dtype.ordinal() + layout.ordinal() * 3L);
        Linear linear = MatmulTest.randomLinear(random, in, out, layout, dtype, false);
        int rows = 19;
        float[] x = TestData.normal(random, rows * in, 1.0);
        float[] all = new float[rows * out];
        Matmul.linear(all, 0, x, 0, rows, linear, two);
        for (int[] window : new int[][] {{0, 2}, {3, 6}, {5, 16}, {17, 19}}) {
            int n = window[1] - window[0];
            float[] part = new float[n * out];
            Matmul.linear(part, 0, x, window[0] * in, n, linear, one);
            assertThat(part).as("rows %s", Arrays.toString(window))
                    .containsExactly(Arrays.copyOfRange(all, window[0] * out, window[1] * out));
        }
    }

    @Test
    void int8RowsAreIndependentAndEachRowGivesTheOneRowResult() {
        Random random = new Random(8);
        for (int[] s : new int[][] {{96, 40}, {1100, 64}}) {
            int in = s[0];
            int out = s[1];
            Linear source = MatmulTest.randomLinear(random, in, out, Linear.Layout.OUT_IN, DType.F32, true);
            Int8Linear q = Int8Linear.quantize(source, Int8Linear.DEFAULT_THRESHOLD, Arena.ofAuto());
            int rows = 6;
            float[] x = TestData.normal(random, rows * in, 1.0);
            for (int r = 0; r < rows; r++) {
                x[r * in + random.nextInt(in)] = 9f * (r + 1); // an outlier of this row only
            }
            float[] alone = new float[rows * out];
            for (int r = 0; r < rows; r++) {
                Matmul.linear(alone, r * out, x, r * in, 1, q, one);
            }
            float[] batch = new float[rows * out];
            Matmul.linearEachRow(batch, 0, x, 0, rows, q, two);
            assertThat(batch).containsExactly(alone);

            float[] gemm = new float[rows * out];
            Matmul.linear(gemm, 0, x, 0, rows, q, two);
            float[] pair = new float[2 * out];
            Matmul.linear(pair, 0, x, 2 * in, 2, q, one);
            assertThat(pair).containsExactly(Arrays.copyOfRange(gemm, 2 * out, 4 * out));
        }
    }

    @Test
    void blockQuantizedRowsAreIndependentAndEachRowGivesTheOneRowResult() {
        Random random = new Random(19);
        for (io.github.vectorlm.tensor.BlockType type : new io.github.vectorlm.tensor.BlockType[] {
            io.github.vectorlm.tensor.BlockType.Q8_0, io.github.vectorlm.tensor.BlockType.Q4_0}) {
            for (int[] s : new int[][] {{96, 40}, {1056, 64}, {768, 2304}}) {
                int in = s[0];
                int out = s[1];
                Linear source = MatmulTest.randomLinear(random, in, out, Linear.Layout.OUT_IN, DType.F32, true);
                QuantizedLinear q = QuantizedLinear.quantize(source, type, Arena.ofAuto());
                int rows = 6;
                float[] x = TestData.normal(random, rows * in, 1.0);
                float[] alone = new float[rows * out];
                for (int r = 0; r < rows; r++) {
                    Matmul.linear(alone, r * out, x, r * in, 1, q, one);
                }
                for (Parallel p : new Parallel[] {one, two}) {
                    float[] batch = new float[rows * out];
                    Matmul.linearEachRow(batch, 0, x, 0, rows, q, p);
                    assertThat(batch).as("%s each row, %d threads", q, p.threads()).containsExactly(alone);
                }
                float[] gemm = new float[rows * out];
                Matmul.linear(gemm, 0, x, 0, rows, q, two);
                float[] pair = new float[2 * out];
                Matmul.linear(pair, 0, x, 2 * in, 2, q, one);
                assertThat(pair).as("%s GEMM rows", q).containsExactly(Arrays.copyOfRange(gemm, 2 * out, 4 * out));
            }
        }
    }

    @Test
    void prefillAttentionRowsDoNotDependOnTheChunks() {
        Random random = new Random(12);
        int heads = 3;
        int headDim = 2 * Simd.L;
        int width = heads * headDim;
        int n = 23;
        float[] keys = TestData.normal(random, n * width, 1.0);
        float[] values = TestData.normal(random, n * width, 1.0);
        float[] q = TestData.normal(random, n * width, 1.0);
        float[] scratch = new float[Attention.scratchSize(n, headDim, two)];
        float[] whole = new float[n * width];
        Attention.causal(whole, 0, q, 0, n, 0, keys, values, heads, headDim, scratch, two);
        for (int[] chunks : new int[][] {{2, 21}, {3, 3, 17}, {5, 2, 16}, {10, 13}}) {
            float[] pieces = new float[n * width];
            int start = 0;
            for (int c : chunks) {
                Attention.causal(pieces, start * width, q, start * width, c, start, keys, values, heads, headDim, scratch,
                        one);
                start += c;
            }
            assertThat(pieces).as("chunks %s", Arrays.toString(chunks)).containsExactly(whole);
        }
    }
}
