package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.tensor.DType;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The measured choice of the F32 short-row GEMV kernel: how it decides, and that it changes no bit. */
class ShortRowChoiceTest {
    @AfterEach
    void measureAgain() {
        ShortRowChoice.force(0);
    }

    @Test
    void oneAtATimeOnlyWhenClearlyFaster() {
        assertThat(ShortRowChoice.decide(20.0, 20.5)).isEqualTo(ShortRowChoice.FOUR); // within the margin
        assertThat(ShortRowChoice.decide(20.0, 25.0)).isEqualTo(ShortRowChoice.ONE);
        assertThat(ShortRowChoice.decide(25.0, 20.0)).isEqualTo(ShortRowChoice.FOUR);
    }

    @Test
    void trialsAlternateAfterTheWarmUpThenTheFasterIsKept() {
        ShortRowChoice.force(0);
        for (int i = 0; i < ShortRowChoice.WARMUP_CALLS; i++) {
            assertThat(ShortRowChoice.trial()).as("warm-up call %d is not timed", i).isZero();
        }
        for (int i = 0; i < ShortRowChoice.TRIALS; i++) {
            int kernel = ShortRowChoice.trial();
            assertThat(kernel).isEqualTo(i % 2 == 0 ? ShortRowChoice.FOUR : ShortRowChoice.ONE);
            // one at a time reads 1.5x faster in these made-up timings
            ShortRowChoice.record(kernel, 3_000_000, kernel == ShortRowChoice.ONE ? 100_000 : 150_000);
        }
        assertThat(ShortRowChoice.chosen()).isEqualTo(ShortRowChoice.ONE);
        assertThat(ShortRowChoice.trial()).as("no trial once chosen").isZero();
    }

    @Test
    void bothKernelsGiveTheSameBits() {
        if (Simd.REGISTERS < 32) {
            System.out.println("ShortRowChoiceTest: skipped, the choice is made only with 32 vector registers; this JVM"
                    + " has " + Simd.REGISTERS);
        }
        Assumptions.assumeTrue(Simd.REGISTERS >= 32, "the choice is made only with 32 vector registers");
        Random random = new Random(77);
        int in = 768;
        int out = 1031; // leftover rows after the last four
        Linear linear = MatmulTest.randomLinear(random, in, out, Linear.Layout.OUT_IN, DType.F32, true);
        float[] x = TestData.normal(random, in, 1.0);
        float[] four = new float[out];
        float[] one = new float[out];
        try (Parallel parallel = Parallel.create(1)) {
            ShortRowChoice.force(ShortRowChoice.FOUR);
            Matmul.linear(four, 0, x, 0, 1, linear, parallel);
            ShortRowChoice.force(ShortRowChoice.ONE);
            Matmul.linear(one, 0, x, 0, 1, linear, parallel);
        }
        for (int o = 0; o < out; o++) {
            assertThat(Float.floatToRawIntBits(one[o])).as("output %d", o).isEqualTo(Float.floatToRawIntBits(four[o]));
        }
    }
}
