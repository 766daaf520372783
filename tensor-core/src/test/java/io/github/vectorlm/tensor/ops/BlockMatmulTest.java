package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q8_0/Q4_0 layers against {@link BlockMatmulReference}, bit for bit: one row and each row of
 * {@code linearEachRow} with the dot-product arithmetic, several rows with the GEMM's; on shapes
 * with one output, outputs not a multiple of the tile or the vector, inputs of one block and of
 * more than one GEMM input block, 1 to 3 threads. The quantizer against gguf-py's.
 */
class BlockMatmulTest {
    private static final int[][] SHAPES = {{32, 1}, {64, 3}, {96, 17}, {800, 65}, {288, 70}, {3072, 33}, {768, 769}};
    private static Parallel one;
    private static Parallel two;
    private static Parallel three;
    private static Arena arena;

    @BeforeAll
    static void setUp() {
        one = Parallel.create(1);
        two = Parallel.create(2);
        three = Parallel.create(3);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void tearDown() {
        one.close();
        two.close();
        three.close();
        arena.close();
    }

    static QuantizedLinear random(Random random, int in, int out, BlockType type, boolean bias) {
        Linear source = MatmulTest.randomLinear(random, in, out, Linear.Layout.OUT_IN, DType.F32, bias);
        return QuantizedLinear.quantize(source, type, arena);
    }

    @Test
    void quantizerWritesGgufPysBlocks() throws IOException {
        byte[] file;
        try (InputStream s = getClass().getResourceAsStream("/blocks/quantize.bin")) {
            assertThat(s).as("fixture blocks/quantize.bin (tools/make_block_quant_fixture.py)").isNotNull();
            file = s.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int rows = b.getInt();
        int cols = b.getInt();
        float[] x = new float[rows * cols];
        b.asFloatBuffer().get(x);
        int at = 8 + 4 * x.length;
        for (BlockType type : new BlockType[] {BlockType.Q8_0, BlockType.Q4_0}) {
            int bytes = (int) type.bytesFor((long) rows * cols);
            byte[] expected = Arrays.copyOfRange(file, at, at + bytes);
            at += bytes;
            MemorySegment actual = MemorySegment.ofArray(new byte[bytes]);
            type.quantize(x, 0, x.length, actual, 0);
            assertThat(actual.toArray(ValueLayout.JAVA_BYTE)).as("%s blocks", type).containsExactly(expected);
        }
        assertThat(at).isEqualTo(file.length);
    }

    @ParameterizedTest
    @EnumSource(value = BlockType.class, names = {"Q8_0", "Q4_0"})
    void oneRowAndEachRowMatchTheDotReference(BlockType type) {
        Random random = TestData.random("block dots " + type);
        for (int[] s : SHAPES) {
            QuantizedLinear q = random(random, s[0], s[1], type, random.nextBoolean());
            for (int rows : new int[] {1, 2, 5}) {
                float[] x = TestData.normal(random, 3 + rows * s[0], 1.0);
                float[] expected = new float[5 + rows * s[1]];
                BlockMatmulReference.linearDots(expected, 5, x, 3, rows, q, Simd.L);
                for (Parallel p : new Parallel[] {one, two, three}) {
                    float[] actual = new float[expected.length];
                    if (rows == 1) {
                        Matmul.linear(actual, 5, x, 3, 1, q, p);
                    } else {
                        Matmul.linearEachRow(actual, 5, x, 3, rows, q, p);
                    }
                    TestData.assertBitIdentical(q + " " + rows + " rows, " + p.threads() + " threads", expected, actual);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BlockType.class, names = {"Q8_0", "Q4_0"})
    void severalRowsMatchTheGemmReference(BlockType type) {
        Random random = TestData.random("block gemm " + type);
        for (int[] s : SHAPES) {
            QuantizedLinear q = random(random, s[0], s[1], type, random.nextBoolean());
            for (int rows : new int[] {2, 3, 17}) {
                float[] x = TestData.normal(random, 3 + rows * s[0], 1.0);
                float[] expected = new float[5 + rows * s[1]];
                BlockMatmulReference.linearGemm(expected, 5, x, 3, rows, q);
                for (Parallel p : new Parallel[] {one, two, three}) {
                    float[] actual = new float[expected.length];
                    Matmul.linear(actual, 5, x, 3, rows, q, p);
                    TestData.assertBitIdentical(q + " " + rows + " rows, " + p.threads() + " threads", expected, actual);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BlockType.class, names = {"Q8_0", "Q4_0"})
    void blocksEndingAtTheSegmentEndAreRead(BlockType type) {
        Random random = TestData.random("block segment end " + type);
        QuantizedLinear padded = random(random, 96, 5, type, false);
        long bytes = padded.weight().dataBytes();
        MemorySegment exact = arena.allocate(bytes, 1);
        exact.copyFrom(padded.weight().data());
        QuantizedLinear q = QuantizedLinear.of(QuantizedTensor.of(type, Shape.of(5, 96), exact, 0), null);
        float[] x = TestData.normal(random, 2 * 96, 1.0);
        float[] expected = new float[2 * 5];
        float[] actual = new float[2 * 5];
        BlockMatmulReference.linearDots(expected, 0, x, 0, 2, q, Simd.L);
        Matmul.linearEachRow(actual, 0, x, 0, 2, q, one);
        TestData.assertBitIdentical("dots", expected, actual);
        BlockMatmulReference.linearGemm(expected, 0, x, 0, 2, q);
        Matmul.linear(actual, 0, x, 0, 2, q, one);
        TestData.assertBitIdentical("gemm", expected, actual);
    }

    @Test
    void quantizingAnInOutWeightGivesTheBlocksOfItsTranspose() {
        Random random = TestData.random("block quantize in-out");
        int in = 64;
        int out = 70;
        float[] w = TestData.normal(random, in * out, 1.0);
        float[] transposed = new float[in * out];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                transposed[o * in + i] = w[i * out + o];
            }
        }
        Linear inOut = Linear.inOut(TestData.tensor(DType.BF16, w, 0, in, out), null);
        Linear outIn = Linear.outIn(TestData.tensor(DType.BF16, transposed, 0, out, in), null);
        for (BlockType type : new BlockType[] {BlockType.Q8_0, BlockType.Q4_0}) {
            QuantizedLinear a = QuantizedLinear.quantize(inOut, type, arena);
            QuantizedLinear b = QuantizedLinear.quantize(outIn, type, arena);
            assertThat(a.weight().data().toArray(ValueLayout.JAVA_BYTE))
                    .containsExactly(b.weight().data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void quantizationErrorIsWithinAStepPerBlock() {
        Random random = TestData.random("block quantize error");
        float[] x = TestData.normal(random, 32 * 40, 1.0);
        for (BlockType type : new BlockType[] {BlockType.Q8_0, BlockType.Q4_0}) {
            MemorySegment blocks = MemorySegment.ofArray(new byte[(int) type.bytesFor(x.length)]);
            type.quantize(x, 0, x.length, blocks, 0);
            float[] back = new float[x.length];
            type.dequantize(blocks, 0, x.length, back, 0);
            for (int b = 0; b < x.length / 32; b++) {
                float amax = 0f;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                }
                // Q8_0: half a step; Q4_0: a whole one, where values opposite the largest one clip at 7 steps
                double bound = type == BlockType.Q8_0 ? 0.5 * amax / 127 : amax / 8;
                for (int j = 0; j < 32; j++) {
                    // plus the f16 rounding of the scale times the largest |q|
                    assertThat((double) Math.abs(back[b * 32 + j] - x[b * 32 + j]))
                            .as("%s block %d value %d", type, b, j).isLessThanOrEqualTo(bound + 1e-3 * amax);
                }
            }
        }
    }

    @Test
    void badWeightsAndArgumentsAreRefused() {
        MemorySegment seg = arena.allocate(4096, 64);
        assertThatThrownBy(() -> QuantizedLinear.of(QuantizedTensor.of(BlockType.Q4_1, Shape.of(2, 32), seg, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q8_0, Q4_0 or Q6_K");
        assertThatThrownBy(() -> QuantizedLinear.of(QuantizedTensor.of(BlockType.Q8_0, Shape.of(2, 2, 32), seg, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2-D");
        Tensor bias = TestData.tensor(DType.F32, new float[3], 0, 3);
        assertThatThrownBy(() -> QuantizedLinear.of(QuantizedTensor.of(BlockType.Q8_0, Shape.of(2, 32), seg, 0), bias))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
        Linear odd = Linear.outIn(TestData.tensor(DType.F32, new float[2 * 48], 0, 2, 48), null);
        assertThatThrownBy(() -> QuantizedLinear.quantize(odd, BlockType.Q8_0, arena))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of blocks");
        assertThatThrownBy(() -> QuantizedLinear.quantize(odd, BlockType.Q4_K, arena))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q8_0 or Q4_0");
        QuantizedLinear q = QuantizedLinear.of(QuantizedTensor.of(BlockType.Q8_0, Shape.of(2, 32), seg, 0), null);
        assertThatThrownBy(() -> Matmul.linear(new float[2], 0, new float[31], 0, 1, q, one))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input");
        assertThatThrownBy(() -> Matmul.linearEachRow(new float[3], 0, new float[64], 0, 2, q, one))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output");
    }
}
