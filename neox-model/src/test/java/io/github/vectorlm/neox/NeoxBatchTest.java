package io.github.vectorlm.neox;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.BatchInvariance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A sequence's logits are bit-identical alone and in any batch: every weight dtype, int8, 1 and 2 threads. */
class NeoxBatchTest {
    @ParameterizedTest(name = "{0}, int8 {1}, {2} threads")
    @CsvSource({"par_r25_f32_st, false, 1", "par_r25_f32_st, false, 2", "par_r25_f16_st, false, 2",
        "par_r25_bf16_st, false, 1", "seq_r100_f32_bin, false, 2", "par_r25_f32_st, true, 1",
        "par_r25_f16_st, true, 2", "seq_r100_f32_bin, true, 2"})
    void batchesGiveEachSequenceItsLogitsAlone(String variant, boolean int8, int threads) throws Exception {
        try (Parallel p = Parallel.create(threads);
                NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf(variant),
                        LoadOptions.defaults().withInt8(int8).withParallel(p))) {
            BatchInvariance.check(model, variant.hashCode() * 7L + threads + (int8 ? 1 : 0), 9);
        }
    }
}
