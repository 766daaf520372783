package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every generated GEMM micro-kernel, whichever this CPU chose, against its scalar definition bit
 * for bit: {@code c[r][j] = fma(x[k][r], w[k][j], c[r][j])} for k in order, from zero or from the
 * stored partial sums. And the choice of tile per vector shape.
 */
class GemmTileTest {
    @Test
    void everyTileIsTheFmaChainOfItsDefinition() throws Exception {
        Random random = TestData.random("GemmTileTest");
        for (GemmTile t : GemmTile.AVAILABLE) {
            Method kernel = GemmKernels.class.getDeclaredMethod("tile" + t, float[].class, int.class, float[].class,
                    int.class, int.class, float[].class, int.class, int.class, boolean.class);
            int rows = t.rows();
            int nr = t.vectors() * Simd.L;
            for (int kc : new int[] {1, 7, 256}) {
                for (boolean first : new boolean[] {true, false}) {
                    int xBase = 3;
                    int wBase = 5;
                    int ldc = nr + 9;
                    int cBase = 2;
                    float[] xp = TestData.normal(random, xBase + kc * rows, 1);
                    float[] wp = TestData.normal(random, wBase + kc * nr, 1);
                    float[] c = TestData.normal(random, cBase + rows * ldc, 1);
                    float[] expected = c.clone();
                    for (int r = 0; r < rows; r++) {
                        for (int j = 0; j < nr; j++) {
                            float sum = first ? 0f : c[cBase + r * ldc + j];
                            for (int k = 0; k < kc; k++) {
                                sum = Math.fma(xp[xBase + k * rows + r], wp[wBase + k * nr + j], sum);
                            }
                            expected[cBase + r * ldc + j] = sum;
                        }
                    }
                    kernel.invoke(null, xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
                    assertThat(c).as("tile %s, kc %d, first %s", t, kc, first).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void theTileFollowsTheVectorLengthAndTheRegisterFile() {
        assertThat(GemmTile.choose(16, 32, null)).isEqualTo(new GemmTile(8, 2));
        assertThat(GemmTile.choose(8, 16, null)).isEqualTo(new GemmTile(5, 2));
        assertThat(GemmTile.choose(4, 16, null)).isEqualTo(new GemmTile(5, 2));
        assertThat(GemmTile.choose(8, 32, null)).isEqualTo(new GemmTile(8, 3));
        assertThat(GemmTile.choose(4, 32, null)).isEqualTo(new GemmTile(8, 3));
        assertThat(GemmTile.choose(16, 32, " 3X3 ")).isEqualTo(new GemmTile(3, 3));
        assertThatThrownBy(() -> GemmTile.choose(16, 32, "9x9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such GEMM tile");
        for (GemmTile t : GemmTile.AVAILABLE) {
            assertThat(t.accumulators() + t.vectors() + 1).as("registers of %s", t).isLessThanOrEqualTo(32);
        }
        System.out.println("this JVM: " + Simd.L + " lanes, " + Simd.REGISTERS + " registers, tile "
                + GemmTile.CHOSEN);
    }
}
