package io.github.vectorlm.gpt2;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.BatchInvariance;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A sequence's logits are bit-identical alone and in any batch, for every weight dtype and thread
 * count, and with the blocks quantized at load (int8, Q8_0, Q4_0).
 */
class Gpt2BatchTest {
    @ParameterizedTest(name = "{0}, {1} threads, {2}")
    @CsvSource({"f32-safetensors, 1, none", "f32-safetensors, 2, none", "f16, 1, none", "f16, 2, none", "bf16, 1, none",
        "bf16, 2, none", "openai-tf, 2, none", "f32-safetensors, 2, int8", "f16, 1, Q8_0", "f32-safetensors, 2, Q4_0",
        "openai-tf, 1, Q8_0"})
    void batchesGiveEachSequenceItsLogitsAlone(String variant, int threads, String quantize) throws Exception {
        Path folder = HuggingFaceOracleTest.DIR.resolve(variant);
        Fixtures.require(folder, HuggingFaceOracleTest.MADE_BY);
        LoadOptions options = switch (quantize) {
            case "none" -> LoadOptions.defaults();
            case "int8" -> LoadOptions.defaults().withInt8(true);
            default -> LoadOptions.defaults().withQuantize(BlockType.valueOf(quantize));
        };
        try (Parallel p = Parallel.create(threads);
                Gpt2Model model = new Gpt2Loader().load(folder, options.withParallel(p))) {
            BatchInvariance.check(model, variant.hashCode() * 31L + threads + quantize.hashCode(), 9);
        }
    }
}
