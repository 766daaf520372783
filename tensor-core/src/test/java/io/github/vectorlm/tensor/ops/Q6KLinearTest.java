package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Q6_K layers (read in place, as a GGUF output matrix): the dot kernel against
 * {@link BlockMatmulReference#linearDotsQ6K} bit for bit, and against a plain double-precision dot
 * over the values {@link BlockType#dequantizeBlock} (tested against gguf-py) gives; several rows
 * against the GEMM reference. Random blocks (every bit pattern of ql, qh and the scales, finite
 * f16 d), each weight ending exactly at the end of its segment so that the last loads are the masked ones.
 */
class Q6KLinearTest {
    private static final int[][] SHAPES = {{256, 1}, {512, 3}, {768, 17}, {3072, 5}, {768, 65}};
    private static Arena arena;
    private static Parallel one;
    private static Parallel three;

    @BeforeAll
    static void setUp() {
        arena = Arena.ofShared();
        one = Parallel.create(1);
        three = Parallel.create(3);
    }

    @AfterAll
    static void tearDown() {
        one.close();
        three.close();
        arena.close();
    }

    static QuantizedLinear randomQ6K(Random random, int in, int out) {
        long bytes = BlockType.Q6_K.bytesFor((long) in * out);
        MemorySegment seg = arena.allocate(bytes, 1);
        for (long i = 0; i < bytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long b = 0; b < bytes / 210; b++) {
            float d = (float) (random.nextGaussian() * 1e-3);
            seg.set(f16, b * 210 + 208, Float.floatToFloat16(d));
        }
        return QuantizedLinear.of(QuantizedTensor.of(BlockType.Q6_K, Shape.of(out, in), seg, 0), null);
    }

    @Test
    void oneRowAndEachRowMatchTheReferenceBitForBit() {
        Random random = TestData.random("q6k dots");
        for (int[] s : SHAPES) {
            QuantizedLinear q = randomQ6K(random, s[0], s[1]);
            for (int rows : new int[] {1, 2, 3}) {
                float[] x = TestData.normal(random, 3 + rows * s[0], 1.0);
                float[] expected = new float[5 + rows * s[1]];
                BlockMatmulReference.linearDots(expected, 5, x, 3, rows, q, Simd.L);
                for (Parallel p : new Parallel[] {one, three}) {
                    float[] actual = new float[expected.length];
                    if (rows == 1) {
                        Matmul.linear(actual, 5, x, 3, 1, q, p);
                    } else {
                        Matmul.linearEachRow(actual, 5, x, 3, rows, q, p);
                    }
                    TestData.assertBitIdentical(q + " " + rows + " rows, " + p.threads() + " threads", expected, actual);
                }
                // the reference against the dequantized values of BlockType (ggml's dequantize_row_q6_K)
                float[] w = new float[s[0]];
                for (int o = 0; o < s[1]; o++) {
                    q.weight().dequantizeRow(o, w, 0);
                    for (int r = 0; r < rows; r++) {
                        double dot = 0;
                        double mag = 0;
                        for (int i = 0; i < s[0]; i++) {
                            dot += (double) w[i] * x[3 + r * s[0] + i];
                            mag += Math.abs((double) w[i] * x[3 + r * s[0] + i]);
                        }
                        // f32 sums of s[0] products: a few ulps of the magnitude
                        assertThat((double) expected[5 + r * s[1] + o]).as("%s row %d out %d", q, r, o)
                                .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-5 * mag + 1e-30));
                    }
                }
            }
        }
    }

    @Test
    void severalRowsMatchTheGemmReference() {
        Random random = TestData.random("q6k gemm");
        for (int[] s : SHAPES) {
            QuantizedLinear q = randomQ6K(random, s[0], s[1]);
            for (int rows : new int[] {2, 5, 17}) {
                float[] x = TestData.normal(random, rows * s[0], 1.0);
                float[] expected = new float[rows * s[1]];
                BlockMatmulReference.linearGemm(expected, 0, x, 0, rows, q);
                float[] actual = new float[expected.length];
                Matmul.linear(actual, 0, x, 0, rows, q, three);
                TestData.assertBitIdentical(q + " " + rows + " rows", expected, actual);
            }
        }
    }
}
