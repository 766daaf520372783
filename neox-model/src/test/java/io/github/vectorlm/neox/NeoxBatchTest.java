package io.github.vectorlm.neox;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.BatchInvariance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A sequence's logits are bit-identical alone and in any batch: every weight dtype, int8, Q8_0, Q4_0, 1 and 2 threads. */
class NeoxBatchTest {
    @ParameterizedTest(name = "{0}, quantized {1}, {2} threads")
    @CsvSource({"par_r25_f32_st, false, 1", "par_r25_f32_st, false, 2", "par_r25_f16_st, false, 2",
        "par_r25_bf16_st, false, 1", "seq_r100_f32_bin, false, 2", "par_r25_f32_st, true, 1",
        "par_r25_f16_st, true, 2", "seq_r100_f32_bin, true, 2", "par_r25_f32_st, Q8_0, 2", "seq_r100_f32_bin, Q4_0, 1"})
    void batchesGiveEachSequenceItsLogitsAlone(String variant, String quantize, int threads) throws Exception {
        boolean int8 = quantize.equals("true");
        LoadOptions options = quantize.startsWith("Q")
                ? LoadOptions.defaults().withQuantize(io.github.vectorlm.tensor.BlockType.valueOf(quantize))
                : LoadOptions.defaults().withInt8(int8);
        try (Parallel p = Parallel.create(threads);
                NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf(variant), options.withParallel(p))) {
            long seed = variant.hashCode() * 7L + threads + (int8 ? 1 : 0) + (int8 ? 0 : quantize.hashCode() - "false".hashCode());
            BatchInvariance.check(model, seed, 9);
        }
    }

    /**
     * The seed that found a prompt cut 12 + 12 + 2 + 1 in a pass with two free rows: its last
     * position ran alone, with the decode arithmetic. {@link io.github.vectorlm.generation.Batch#nextChunk}
     * now says wait instead.
     */
    @Test
    void aPromptIsNotLeftWithOnePositionWhenAPassHasTwoRowsFree() throws Exception {
        try (Parallel p = Parallel.create(1);
                NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf("par_r25_bf16_st"),
                        LoadOptions.defaults().withParallel(p))) {
            BatchInvariance.check(model, 5050425279L, 9);
        }
    }
}
