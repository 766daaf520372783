package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GPT-NeoX from the GGUF files llama.cpp's converter and llama-quantize made
 * ({@code tools/make_gguf_model_fixtures.py}) of the HF fixtures {@code par_r25_f32_st} (parallel
 * residual, a quarter of each head rotated) and {@code seq_r100_f32_bin} (sequential, all rotated),
 * and of a random model 256 wide whose Q4_0 file keeps the output matrix in Q6_K. Against the HF
 * model's logits (f32 files: 1e-4 of each row's scale, as every f32 layout; the Q8_0/Q4_0 rounding
 * of these random weights measured 1.2e-2 / 2.0e-1, tolerances about 2×) and llama.cpp's on the
 * same file: f32 to 2e-3 of the row scale (llama.cpp's F16 KV cache and its tanh GELU, where the
 * HF configs say exact GELU: measured 5.9e-4), quantized to 4e-2 (its Q8_0-quantized activations:
 * measured up to 1.8e-2, the Q6_K head included), the top token equal wherever llama.cpp's top two are 0.1 apart.
 */
class NeoxGgufTest {
    static final Path DIR = Path.of("src/test/resources/gguf");
    static final String MADE_BY = "LLAMA_CPP_SRC=… LLAMA_CPP_BIN=… LLAMA_LOGITS=… python3 tools/make_gguf_model_fixtures.py";

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "neox-par-f32,  par_r25_f32_st,   1e-4, 2e-3",
        "neox-par-q8_0, par_r25_f32_st,   3e-2, 4e-2",
        "neox-par-q4_0, par_r25_f32_st,   4e-1, 4e-2",
        "neox-seq-f32,  seq_r100_f32_bin, 1e-4, 2e-3",
        "neox-seq-q4_0, seq_r100_f32_bin, 4e-1, 4e-2",
        "neox-q6k-q4_0, ,                 0,    4e-2",
    })
    void matchesTransformersAndLlamaCpp(String name, String hfVariant, double vsHf, double vsLlama) throws Exception {
        Path file = Fixtures.require(DIR.resolve(name + ".gguf"), MADE_BY);
        JsonNode llama = Fixtures.json(DIR.resolve(name + ".llama.json"), MADE_BY);
        int[] ids = Fixtures.ints(llama.get("ids"));
        NeoxLoader loader = new NeoxLoader();
        assertThat(loader.canLoad(file)).isTrue();
        try (LanguageModel model = LanguageModels.load(file)) {
            assertThat(model).isInstanceOf(NeoxModel.class);
            float[] ours = Decoding.full(model, ids);
            double[][] theirs = Fixtures.matrix(llama.get("logits"));
            Logits.assertClose(name + " vs llama.cpp", ours, 0, theirs, vsLlama);
            Logits.assertSameTopToken(name, ours, theirs, 0.1);
            Logits.assertClose(name + " cached decode vs llama.cpp", Decoding.cached(model, ids, 4), 0, theirs, vsLlama);
            if (hfVariant != null) {
                JsonNode hf = Fixtures.json(NeoxFixtures.HF.resolve(hfVariant).resolve("expected.json"), MADE_BY);
                assertThat(ids).containsExactly(Fixtures.ints(hf.get("ids")));
                Logits.assertClose(name + " vs transformers f32", ours, 0, Fixtures.matrix(hf.get("logits")), vsHf);
            }
        }
    }

    @Test
    void configComesFromTheGptneoxKeys() throws Exception {
        try (NeoxModel par = new NeoxLoader().load(DIR.resolve("neox-par-q8_0.gguf"), LoadOptions.defaults());
                NeoxModel seq = new NeoxLoader().load(DIR.resolve("neox-seq-f32.gguf"), LoadOptions.defaults())) {
            assertThat(par.config()).isEqualTo(new NeoxConfig(128, 64, 2, 4, 256, 64, 0.25, 10000, true,
                    NeoxConfig.Activation.GELU_ERF, 1e-5f, false, true));
            assertThat(par.config().rotaryDims()).isEqualTo(4);
            assertThat(seq.config().parallelResidual()).isFalse();
            assertThat(seq.config().rotaryDims()).isEqualTo(16);
            assertThat(par.tokenizer()).isPresent();
        }
    }

    @Test
    void badFilesAreRefusedNamingTheFileAndWhatIsWrong(@TempDir Path tmp) throws Exception {
        byte[] good = Files.readAllBytes(DIR.resolve("neox-par-q4_0.gguf"));
        Path noKey = Files.write(tmp.resolve("no-key.gguf"),
                replace(good, "gptneox.use_parallel_residual", "gptneox.use_parallel_residuXl"));
        assertThatThrownBy(() -> new NeoxLoader().load(noKey, LoadOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(noKey.toString())
                .hasMessageContaining("'gptneox.use_parallel_residual' is missing");
        Path noTensor = Files.write(tmp.resolve("no-tensor.gguf"), replace(good, "blk.0.attn_qkv.bias", "blk.0.attn_qkv.biaz"));
        assertThatThrownBy(() -> new NeoxLoader().load(noTensor, LoadOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("tensor 'blk.0.attn_qkv.bias' is missing (expected [192])")
                .hasMessageContaining("unexpected tensor 'blk.0.attn_qkv.biaz'");
    }

    private static byte[] replace(byte[] file, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = to.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + a.length <= file.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (file[i + j] != a[j]) {
                    continue outer;
                }
            }
            byte[] out = file.clone();
            System.arraycopy(b, 0, out, i, b.length);
            return out;
        }
        throw new AssertionError("'" + from + "' not in the fixture");
    }
}
