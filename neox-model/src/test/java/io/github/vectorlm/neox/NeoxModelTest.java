package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.ModelLoader;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The forward pass's contract beyond the oracle: threads, chunking, sessions, argument checks. */
class NeoxModelTest {
    private static final String VARIANT = "par_r25_f16_st";

    private static float[] allLogits(Path folder, Parallel parallel, int[] ids) throws IOException {
        try (NeoxModel model = new NeoxLoader().load(folder, LoadOptions.defaults().withParallel(parallel))) {
            float[] logits = new float[ids.length * model.vocabSize()];
            Session s = model.newSession();
            model.forwardAll(s, ids, 0, 7, logits);
            float[] last = new float[model.vocabSize()];
            for (int t = 7; t < ids.length; t++) {
                model.forward(s, ids, t, 1, last);
                System.arraycopy(last, 0, logits, t * model.vocabSize(), last.length);
            }
            return logits;
        }
    }

    /** Kernels split only over independent outputs, so one thread and two give the same bits, prefill and decode. */
    @Test
    void oneThreadAndTwoAreBitIdentical() throws IOException {
        int[] ids = Expected.read(NeoxFixtures.hf(VARIANT)).ids();
        for (String variant : new String[] {VARIANT, "seq_r100_f32_bin"}) {
            try (Parallel one = Parallel.create(1); Parallel two = Parallel.create(2)) {
                float[] a = allLogits(NeoxFixtures.hf(variant), one, ids);
                float[] b = allLogits(NeoxFixtures.hf(variant), two, ids);
                assertThat(b).as(variant).containsExactly(a);
            }
        }
    }

    /** A prefill cut into chunks gives the logits of one pass (the chunks see the cache the earlier ones wrote). */
    @Test
    void chunkedPrefillEqualsOnePass() throws IOException {
        Expected e = Expected.read(NeoxFixtures.hf(VARIANT));
        int[] ids = e.ids();
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf(VARIANT), LoadOptions.defaults())) {
            int vocab = model.vocabSize();
            float[] whole = new float[ids.length * vocab];
            model.forwardAll(model.newSession(), ids, 0, ids.length, whole);
            for (int chunk : new int[] {1, 3, 5}) {
                float[] chunked = new float[ids.length * vocab];
                model.forwardAll(model.newSession(model.contextLength(), chunk), ids, 0, ids.length, chunked);
                Logits.assertClose("chunks of " + chunk, chunked, 0, Logits.rows(whole, ids.length, vocab), 1e-6);
                Logits.assertClose("chunks of " + chunk + " vs Hugging Face", chunked, 0, e.logits(), 1e-4);
                // forward (last position only) of a chunked prefill
                float[] last = new float[vocab];
                model.forward(model.newSession(model.contextLength(), chunk), ids, 0, ids.length, last);
                Logits.assertRowClose("last position, chunks of " + chunk, last, 0,
                        e.logits()[ids.length - 1], 1e-4);
            }
        }
    }

    @Test
    void resetSessionRunsTheSameAgain() throws IOException {
        int[] ids = Expected.read(NeoxFixtures.hf(VARIANT)).ids();
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf(VARIANT), LoadOptions.defaults())) {
            Session s = model.newSession();
            float[] first = new float[model.vocabSize()];
            model.forward(s, ids, 0, ids.length, first);
            s.reset();
            assertThat(s.position()).isZero();
            model.forward(s, new int[] {3, 3, 3}, 0, 3, new float[model.vocabSize()]);
            s.reset();
            float[] again = new float[model.vocabSize()];
            model.forward(s, ids, 0, ids.length, again);
            assertThat(again).containsExactly(first);
        }
    }

    @Test
    void refusesBadArgumentsAndLeavesTheSessionAsItWas() throws IOException {
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf(VARIANT), LoadOptions.defaults());
                NeoxModel other = new NeoxLoader().load(NeoxFixtures.hf(VARIANT), LoadOptions.defaults())) {
            Session s = model.newSession();
            float[] logits = new float[model.vocabSize()];
            model.forward(s, new int[] {1, 2}, 0, 2, logits);
            assertThatThrownBy(() -> model.forward(s, new int[] {1, 128}, 0, 2, logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 128")
                    .hasMessageContaining("vocabulary of 128");
            assertThatThrownBy(() -> model.forward(s, new int[] {1}, 0, 0, logits)).hasMessageContaining("0 tokens");
            assertThatThrownBy(() -> model.forward(s, new int[] {1}, 1, 1, logits)).hasMessageContaining("outside");
            assertThatThrownBy(() -> model.forward(s, new int[] {1}, 0, 1, new float[5]))
                    .hasMessageContaining("logits array of 5");
            assertThatThrownBy(() -> model.forwardAll(s, new int[] {1, 2}, 0, 2, logits))
                    .hasMessageContaining("need 256");
            assertThatThrownBy(() -> model.forward(other.newSession(), new int[] {1}, 0, 1, logits))
                    .hasMessageContaining("not made by this model");
            assertThatThrownBy(() -> model.forward(s, new int[63], 0, 63, logits))
                    .hasMessageContaining("63 more tokens do not fit").hasMessageContaining("2 of 64");
            assertThat(s.position()).isEqualTo(2);
            assertThat(s.capacity()).isEqualTo(64);
            model.forward(s, new int[62], 0, 62, logits);
            assertThat(s.position()).isEqualTo(64);
        }
    }

    /** Through the generation module: LanguageModels picks this loader for both layouts; Generator decodes greedily as Hugging Face did. */
    @Test
    void generatesThroughTheGenerationModule() throws IOException {
        for (String variant : new String[] {"seq_r100_f32_bin", "slim"}) {
            Expected e = Expected.read(NeoxFixtures.hf(variant));
            try (LanguageModel model = LanguageModels.load(NeoxFixtures.hf(variant))) {
                assertThat(model).isInstanceOf(NeoxModel.class);
                assertThat(model.architecture()).isEqualTo("gpt-neox");
                GenerationResult r = new Generator(model, null).generate(e.prompt(),
                        GenerationOptions.greedy(e.greedy().length), TokenListener.NONE);
                assertThat(r.ids()).as(variant).containsExactly(e.greedy());
            }
        }
    }

    @Test
    void theLoaderIsAService() {
        boolean found = false;
        for (ModelLoader l : ServiceLoader.load(ModelLoader.class)) {
            found |= l instanceof NeoxLoader && l.architecture().equals("gpt-neox");
        }
        assertThat(found).isTrue();
    }
}
