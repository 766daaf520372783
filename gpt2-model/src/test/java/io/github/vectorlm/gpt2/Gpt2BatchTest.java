package io.github.vectorlm.gpt2;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.BatchInvariance;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A sequence's logits are bit-identical alone and in any batch, for every weight dtype and thread count. */
class Gpt2BatchTest {
    @ParameterizedTest(name = "{0}, {1} threads")
    @CsvSource({"f32-safetensors, 1", "f32-safetensors, 2", "f16, 1", "f16, 2", "bf16, 1", "bf16, 2",
        "openai-tf, 2"})
    void batchesGiveEachSequenceItsLogitsAlone(String variant, int threads) throws Exception {
        Path folder = HuggingFaceOracleTest.DIR.resolve(variant);
        Fixtures.require(folder, HuggingFaceOracleTest.MADE_BY);
        try (Parallel p = Parallel.create(threads);
                Gpt2Model model = new Gpt2Loader().load(folder, LoadOptions.defaults().withParallel(p))) {
            BatchInvariance.check(model, variant.hashCode() * 31L + threads, 9);
        }
    }
}
