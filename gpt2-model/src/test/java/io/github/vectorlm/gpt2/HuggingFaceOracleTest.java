package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Folders written by Hugging Face transformers ({@code save_pretrained} in its layouts) and the
 * OpenAI TensorFlow bundle written by TensorFlow from the same weights, against the logits
 * {@code GPT2LMHeadModel} computed ({@code tools/make_gpt2_fixtures_hf.py}).
 */
class HuggingFaceOracleTest {
    static final Path DIR = Oracle.RESOURCES.resolve("hf");
    static final String MADE_BY = "python3 tools/make_gpt2_fixtures_hf.py gpt2-model/src/test/resources/hf "
            + "(torch 2.x + transformers + safetensors)";
    static final String TF_MADE_BY = "tools/tf-fixtures/run.sh from-safetensors "
            + "gpt2-model/src/test/resources/hf/openai-tf-src/model.safetensors "
            + "gpt2-model/src/test/resources/hf/openai-tf/model.ckpt && cp "
            + "gpt2-model/src/test/resources/hf/openai-tf-src/{hparams.json,checkpoint} "
            + "gpt2-model/src/test/resources/hf/openai-tf/";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "f32-safetensors,  f32,  F32,  GELU_TANH",
        "f32-bin,          f32,  F32,  GELU_TANH",
        "f32-sharded,      f32,  F32,  GELU_TANH",
        "f32-unprefixed,   f32,  F32,  GELU_TANH",
        "f32-hubstyle-bin, f32,  F32,  GELU_TANH",
        "f16,              f16,  F16,  GELU_TANH",
        "bf16,             bf16, BF16, GELU_TANH",
        "gelu,             gelu, F32,  GELU_ERF",
        "openai-tf,        f32,  F32,  GELU_TANH",
    })
    void matchesTransformers(String variant, String weights, DType dtype, Gpt2Config.Activation activation)
            throws Exception {
        Path folder = DIR.resolve(variant);
        Fixtures.require(folder, variant.equals("openai-tf") ? TF_MADE_BY : MADE_BY);
        Oracle oracle = Oracle.read(DIR.resolve("expected-" + weights + ".json"), MADE_BY);
        Gpt2Loader loader = new Gpt2Loader();
        assertThat(loader.canLoad(folder)).isTrue();
        try (Parallel p = Parallel.create(2);
                Gpt2Model model = loader.load(folder, LoadOptions.defaults().withParallel(p))) {
            assertThat(model.config()).isEqualTo(new Gpt2Config(131, 32, 64, 2, 4, 256, 1e-5f, activation, true));
            assertThat(model.weights().blocks().get(0).mlpDown().weight().dtype()).isEqualTo(dtype);
            oracle.verify(model);
        }
    }
}
