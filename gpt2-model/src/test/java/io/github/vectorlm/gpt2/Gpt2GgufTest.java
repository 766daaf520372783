package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.UnrecognizedModelException;
import io.github.vectorlm.tensor.ops.Parallel;
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
 * GPT-2 from the GGUF files llama.cpp's converter and llama-quantize made of the HF fixture
 * {@code hf/f32-safetensors} ({@code tools/make_gguf_model_fixtures.py}), against:
 * <ul>
 *   <li>the HF model's logits ({@code hf/expected-f32.json}): the f32 file through the whole
 *       {@link Oracle} at 1e-4 of each row's scale, as every f32 layout; the quantized files at the
 *       error their weights' rounding makes (measured: f16 3e-4, Q8_0 1.1e-2, Q4_0 8.7e-2 of the row
 *       scale; tolerances about 2× that);
 *   <li>llama.cpp's logits on the same file and ids ({@code *.llama.json}). llama.cpp keeps its KV
 *       cache in F16 (each cached key and value rounded to 11 significant bits) and, for Q8_0/Q4_0
 *       weights, quantizes the activations to Q8_0 blocks before each product, where these kernels
 *       keep them in f32: f32 and f16 files agree to 1e-3 of the row scale (measured 5e-4), quantized
 *       ones to the activation rounding (measured Q8_0 1.3e-2, Q4_0 1.6e-2; tolerance 4e-2), and the
 *       top token agrees wherever llama.cpp's top two logits are 0.1 apart.
 * </ul>
 */
class Gpt2GgufTest {
    static final Path DIR = Oracle.RESOURCES.resolve("gguf");
    static final String MADE_BY = "LLAMA_CPP_SRC=… LLAMA_CPP_BIN=… LLAMA_LOGITS=… python3 tools/make_gguf_model_fixtures.py";

    @Test
    void f32FileMatchesTransformers() throws Exception {
        Path file = Fixtures.require(DIR.resolve("gpt2-f32.gguf"), MADE_BY);
        Oracle oracle = Oracle.read(HuggingFaceOracleTest.DIR.resolve("expected-f32.json"), HuggingFaceOracleTest.MADE_BY);
        Gpt2Loader loader = new Gpt2Loader();
        assertThat(loader.canLoad(file)).isTrue();
        try (Parallel p = Parallel.create(2);
                Gpt2Model model = loader.load(file, LoadOptions.defaults().withParallel(p))) {
            assertThat(model.config()).isEqualTo(new Gpt2Config(131, 32, 64, 2, 4, 256, 1e-5f,
                    Gpt2Config.Activation.GELU_TANH, true));
            oracle.verify(model);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "gpt2-f32,  1e-4, 1e-3",
        "gpt2-f16,  1e-3, 1e-3",
        "gpt2-q8_0, 5e-2, 4e-2",
        "gpt2-q4_0, 4e-1, 4e-2",
    })
    void matchesTransformersAndLlamaCpp(String name, double vsHf, double vsLlama) throws Exception {
        Path file = Fixtures.require(DIR.resolve(name + ".gguf"), MADE_BY);
        JsonNode llama = Fixtures.json(DIR.resolve(name + ".llama.json"), MADE_BY);
        JsonNode hf = Fixtures.json(HuggingFaceOracleTest.DIR.resolve("expected-f32.json"), HuggingFaceOracleTest.MADE_BY);
        int[] ids = Fixtures.ints(llama.get("ids"));
        assertThat(ids).containsExactly(Fixtures.ints(hf.get("ids")));
        try (LanguageModel model = LanguageModels.load(file)) {
            float[] ours = Decoding.full(model, ids);
            double[][] theirs = Fixtures.matrix(llama.get("logits"));
            Logits.assertClose(name + " vs llama.cpp", ours, 0, theirs, vsLlama);
            Logits.assertClose(name + " vs transformers f32", ours, 0, Fixtures.matrix(hf.get("logits")), vsHf);
            Logits.assertSameTopToken(name, ours, theirs, 0.1);
            float[] cached = Decoding.cached(model, ids, 5);
            Logits.assertClose(name + " cached decode vs llama.cpp", cached, 0, theirs, vsLlama);
        }
    }

    @Test
    void tokenizerFromTheMetadataGivesTheIdsOfHuggingFaceAndLlamaCpp() throws Exception {
        JsonNode expected = Fixtures.json(DIR.resolve("gpt2-tokenizer.json"), MADE_BY);
        try (Gpt2Model model = new Gpt2Loader().load(DIR.resolve("gpt2-q4_0.gguf"), LoadOptions.defaults())) {
            Tokenizer t = model.tokenizer().orElseThrow();
            String text = expected.get("text").asText();
            assertThat(t.encode(text)).containsExactly(Fixtures.ints(expected.get("hf_ids")));
            assertThat(t.encode(text)).containsExactly(Fixtures.ints(expected.get("llama_ids")));
            assertThat(t.decode(t.encode(text))).isEqualTo(text);
            assertThat(t.endOfText()).hasValue(0);
        }
    }

    @Test
    void badFilesAreRefusedNamingTheFileAndWhatIsWrong(@TempDir Path tmp) throws Exception {
        byte[] good = Files.readAllBytes(DIR.resolve("gpt2-q8_0.gguf"));

        Path noKey = write(tmp, "no-key.gguf", replace(good, "gpt2.block_count", "gpt2.block_cXunt"));
        assertThatThrownBy(() -> new Gpt2Loader().load(noKey, LoadOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(noKey.toString())
                .hasMessageContaining("'gpt2.block_count' is missing");

        Path renamed = write(tmp, "renamed.gguf", replace(good, "blk.1.ffn_up.weight", "blk.1.ffn_uq.weight"));
        assertThatThrownBy(() -> new Gpt2Loader().load(renamed, LoadOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(renamed.toString())
                .hasMessageContaining("tensor 'blk.1.ffn_up.weight' is missing (expected [256, 64])")
                .hasMessageContaining("unexpected tensor 'blk.1.ffn_uq.weight'");

        // output.weight, the last tensor of the data: ne = [64, 131] made [64, 130]
        byte[] shaped = good.clone();
        byte[] name = "\r\0\0\0\0\0\0\0output.weight".getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(shaped, name);
        int ne1 = at + name.length + 4 + 8;
        assertThat(shaped[ne1]).isEqualTo((byte) 131);
        shaped[ne1] = (byte) 130;
        Path misshaped = write(tmp, "misshaped.gguf", shaped);
        assertThatThrownBy(() -> new Gpt2Loader().load(misshaped, LoadOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("tensor 'output.weight' has shape [130, 64], expected [131, 64]");

        Path otherArch = write(tmp, "llama.gguf", replace(good, "\4\0\0\0\0\0\0\0gpt2",
                "\4\0\0\0\0\0\0\0bert"));
        assertThat(new Gpt2Loader().canLoad(otherArch)).isFalse();
        assertThatThrownBy(() -> new Gpt2Loader().load(otherArch, LoadOptions.defaults()))
                .hasMessageContaining(otherArch.toString()).hasMessageContaining("general.architecture is 'bert', expected 'gpt2'");
        assertThatThrownBy(() -> LanguageModels.load(otherArch)).isInstanceOf(UnrecognizedModelException.class)
                .hasMessageContaining("GGUF").hasMessageContaining("'bert'");
    }

    private static Path write(Path dir, String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] replace(byte[] file, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = to.getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(file, a);
        assertThat(at).as("'%s' in the fixture", from).isNotNegative();
        byte[] out = file.clone();
        System.arraycopy(b, 0, out, at, b.length);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
