package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass against Hugging Face's {@code GPTNeoXForCausalLM} on random weights (every
 * parameter randomized), for both residual modes, rotary 25% and 100%, rotary base 500, exact and
 * tanh GELU, tied and untied heads, f32/f16/bf16 on disk, safetensors, sharded safetensors and
 * {@code pytorch_model.bin} with legacy buffers and the {@code embed_out} head.
 */
class NeoxHuggingFaceOracleTest {
    /** Logits within this relative tolerance (see {@link Logits}) of Hugging Face's float32 logits. */
    static final double LOGITS_REL = 1e-4;
    /** Mean cross-entropy within this (absolute, nats) of Hugging Face's. */
    static final double LOSS_ABS = 1e-5;

    static List<String> variants() {
        return List.of("par_r25_f32_st", "seq_r100_f32_bin", "par_r25_f16_st", "par_r25_bf16_st", "par_r25_f32_sharded",
                "seq_r25_base500_tanh_st");
    }

    static NeoxModel load(Path folder) throws IOException {
        return new NeoxLoader().load(folder, LoadOptions.defaults());
    }

    @ParameterizedTest
    @MethodSource("variants")
    void fullForwardMatchesHuggingFace(String variant) throws IOException {
        Path folder = NeoxFixtures.hf(variant);
        Expected e = Expected.read(folder);
        try (NeoxModel model = load(folder)) {
            int vocab = model.vocabSize();
            float[] logits = Decoding.full(model, e.ids());
            Logits.assertClose(variant + " full forward", logits, 0, e.logits(), LOGITS_REL);
            double loss = Logits.meanLoss(logits, e.ids(), vocab);
            System.out.printf("%s loss %.8f, Hugging Face %.8f%n", variant, loss, e.loss());
            assertThat(loss).as("mean cross-entropy").isCloseTo(e.loss(), org.assertj.core.data.Offset.offset(LOSS_ABS));
        }
    }

    /**
     * A prefill of 5 then single-token decode steps give Hugging Face's cached logits, and agree with
     * our own full recompute of the same positions.
     */
    @ParameterizedTest
    @MethodSource("variants")
    void cachedDecodeMatchesFullRecompute(String variant) throws IOException {
        Path folder = NeoxFixtures.hf(variant);
        Expected e = Expected.read(folder);
        int[] ids = e.ids();
        try (NeoxModel model = load(folder)) {
            int vocab = model.vocabSize();
            float[] full = Decoding.full(model, ids);
            float[] cached = Decoding.cached(model, ids, 5);
            Logits.assertClose(variant + " cached decode vs Hugging Face", cached, 0, e.cachedLogits(), LOGITS_REL);
            // the cached path and the full recompute run the same arithmetic on differently shaped batches
            Logits.assertClose(variant + " cached decode vs our full recompute", cached, 0,
                    Logits.rows(full, ids.length, vocab), 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void greedyGenerationMatchesHuggingFace(String variant) throws IOException {
        Path folder = NeoxFixtures.hf(variant);
        Expected e = Expected.read(folder);
        try (NeoxModel model = load(folder)) {
            int[] generated = Decoding.greedy(model, e.prompt(), e.greedy().length);
            assertThat(generated).as(variant + " greedy tokens after " + java.util.Arrays.toString(e.prompt()))
                    .containsExactly(e.greedy());
        }
    }
}
