package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.BlockType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector Q8_0 quantizer against its scalar twin, {@code BlockType.Q8_0.quantize}, byte for byte. */
class BlockQuantizerTest {
    @ParameterizedTest
    @ValueSource(ints = {32, 64, 96, 768, 3072, 4096 + 32})
    void equalsTheScalarQuantizerByteForByte(int count) {
        long seed = 1907L * count;
        System.out.println("BlockQuantizerTest seed " + seed);
        Random random = new Random(seed);
        float[] x = new float[count + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (random.nextInt(12)) {
                case 0 -> 0f;
                case 1 -> random.nextInt(255) - 127; // exact integers: ties after scaling
                case 2 -> (random.nextInt(64) + 0.5f) * (random.nextBoolean() ? 1 : -1); // halves
                case 3 -> Float.MIN_VALUE;
                case 4 -> -0f;
                default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            };
        }
        if (count >= 96) {
            java.util.Arrays.fill(x, 2, 34, 0f);                  // an all-zero block
            x[40] = Float.NaN;                                    // a block with a NaN
            x[70] = Float.POSITIVE_INFINITY;                      // and one with an infinity
        }
        try (Arena arena = Arena.ofConfined()) {
            long bytes = BlockType.Q8_0.bytesFor(count);
            MemorySegment scalar = arena.allocate(bytes + 3);
            MemorySegment vector = arena.allocate(bytes + 3);
            BlockType.Q8_0.quantize(x, 2, count, scalar, 3);
            BlockQuantizer.quantizeQ8_0(x, 2, count, vector, 3);
            assertThat(vector.mismatch(scalar)).as("first differing byte").isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 33})
    void refusesPartialBlocks(int count) {
        assertThatThrownBy(() -> BlockQuantizer.quantizeQ8_0(new float[64], 0, count, Arena.ofAuto().allocate(128), 0))
                .hasMessageContaining("no whole number of Q8_0 blocks");
    }
}
