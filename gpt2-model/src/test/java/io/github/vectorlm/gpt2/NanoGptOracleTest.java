package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * nanoGPT {@code ckpt.pt} files written by {@code torch.save} (Debian's torch 1.13) against the
 * logits PyTorch computed from them ({@code tools/make_gpt2_fixtures_nanogpt.py}).
 */
class NanoGptOracleTest {
    static final Path DIR = Oracle.RESOURCES.resolve("nanogpt");
    static final String MADE_BY = "/usr/bin/python3 tools/make_gpt2_fixtures_nanogpt.py (from the repository root)";

    @ParameterizedTest(name = "{0} loaded from the {1}")
    @CsvSource({
        "f32,      folder, F32,  true",
        "orig-mod, file,   F32,  true",
        "legacy,   file,   F32,  true",
        "f16,      file,   F16,  true",
        "bf16,     folder, BF16, true",
        "nobias,   file,   F32,  false",
    })
    void matchesPyTorch(String variant, String how, DType dtype, boolean bias) throws Exception {
        Path folder = DIR.resolve(variant);
        Path ckpt = folder.resolve("ckpt.pt");
        Fixtures.require(ckpt, MADE_BY);
        Oracle oracle = Oracle.read(folder.resolve("expected.json"), MADE_BY);
        Gpt2Loader loader = new Gpt2Loader();
        Path path = how.equals("folder") ? folder : ckpt;
        assertThat(loader.canLoad(path)).isTrue();
        try (Parallel p = Parallel.create(2);
                Gpt2Model model = loader.load(path, LoadOptions.defaults().withParallel(p))) {
            assertThat(model.config()).isEqualTo(new Gpt2Config(96, 48, 48, 2, 4, 192, 1e-5f,
                    Gpt2Config.Activation.GELU_ERF, bias));
            assertThat(model.weights().blocks().get(1).attention().weight().dtype()).isEqualTo(dtype);
            assertThat(model.weights().tokenEmbedding().dtype()).isEqualTo(dtype);
            assertThat(model.tokenizer()).isEmpty();
            oracle.verify(model);
        }
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalLogits() throws Exception {
        Path ckpt = DIR.resolve("f32/ckpt.pt");
        Fixtures.require(ckpt, MADE_BY);
        Oracle oracle = Oracle.read(DIR.resolve("f32/expected.json"), MADE_BY);
        float[][] out = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (Parallel p = Parallel.create(threads);
                    Gpt2Model model = new Gpt2Loader().load(ckpt, LoadOptions.defaults().withParallel(p))) {
                int vocab = model.vocabSize();
                int n = oracle.ids().length;
                float[] logits = new float[(n + 1) * vocab];
                Session s = model.newSession();
                model.forwardAll(s, oracle.ids(), 0, n - 1, logits);
                float[] last = new float[vocab];
                model.forward(s, oracle.ids(), n - 1, 1, last);
                System.arraycopy(last, 0, logits, n * vocab, vocab);
                out[threads - 1] = logits;
            }
        }
        assertThat(out[1]).containsExactly(out[0]);
    }
}
