package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.decoder.WeightTable;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.InMemoryCheckpoint;
import io.github.vectorlm.testing.Logits;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The three name tables against weights written under names spelled out in {@link RandomGpt2}:
 * every layout of the same weights must give the logits of the double-precision reference.
 */
class Gpt2WeightsTest {
    private static final long SEED = 0x6a7e2L;
    // awkward sizes on purpose: head size 5, vocab 37, inner not a multiple of 8
    private static final Gpt2Config TANH = new Gpt2Config(37, 12, 20, 2, 4, 80, 1e-5f,
            Gpt2Config.Activation.GELU_TANH, true);
    private static final Gpt2Config ERF = new Gpt2Config(37, 12, 20, 2, 4, 80, 1e-5f,
            Gpt2Config.Activation.GELU_ERF, true);
    private static final Gpt2Config ERF_NO_BIAS = new Gpt2Config(37, 12, 20, 2, 4, 80, 1e-5f,
            Gpt2Config.Activation.GELU_ERF, false);

    @Test
    void everyLayoutOfTheSameWeightsGivesTheReferenceLogits() throws Exception {
        System.out.println("seed " + SEED);
        RandomGpt2 w = new RandomGpt2(TANH, SEED);
        int[] ids = TestModels.ids(SEED, 10, TANH.vocabSize());
        double[][] expected = w.referenceLogits(ids);
        check("HF transformer.", TANH, Gpt2WeightLayout.HUGGING_FACE, w.huggingFace(true, false, DType.F32), ids, expected);
        check("HF unprefixed + mask buffers", TANH, Gpt2WeightLayout.HUGGING_FACE, w.huggingFace(false, true, DType.F32),
                ids, expected);
        check("OpenAI TF", TANH, Gpt2WeightLayout.OPENAI_TF, w.openAi(), ids, expected);

        RandomGpt2 e = new RandomGpt2(ERF, SEED);
        double[][] expectedErf = e.referenceLogits(ids);
        check("nanoGPT", ERF, Gpt2WeightLayout.NANOGPT, e.nanoGpt("", DType.F32), ids, expectedErf);
        check("nanoGPT _orig_mod.", ERF, Gpt2WeightLayout.NANOGPT, e.nanoGpt("_orig_mod.", DType.F32), ids, expectedErf);

        RandomGpt2 nb = new RandomGpt2(ERF_NO_BIAS, SEED);
        check("nanoGPT bias=False", ERF_NO_BIAS, Gpt2WeightLayout.NANOGPT, nb.nanoGpt("", DType.F32), ids,
                nb.referenceLogits(ids));
    }

    @Test
    void halfPrecisionWeightsAreReadAsStored() throws Exception {
        RandomGpt2 w = new RandomGpt2(TANH, SEED + 1);
        int[] ids = TestModels.ids(SEED + 1, 9, TANH.vocabSize());
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            double[][] expected = w.roundedTo(dtype).referenceLogits(ids);
            check("HF " + dtype, TANH, Gpt2WeightLayout.HUGGING_FACE, w.huggingFace(true, false, dtype), ids, expected);
            check("nanoGPT " + dtype, ERF, Gpt2WeightLayout.NANOGPT,
                    new RandomGpt2(ERF, SEED + 1).nanoGpt("", dtype), ids,
                    new RandomGpt2(ERF, SEED + 1).roundedTo(dtype).referenceLogits(ids));
        }
    }

    private static void check(String what, Gpt2Config config, WeightTable<Gpt2WeightLayout.Parameter> layout, Map<String, Tensor> tensors,
            int[] ids, double[][] expected) throws Exception {
        try (Gpt2Model model = TestModels.model(config, layout, tensors, Parallel.create(1))) {
            float[] logits = new float[ids.length * config.vocabSize()];
            model.forwardAll(model.newSession(), ids, 0, ids.length, logits);
            Logits.assertClose(what, logits, 0, expected, 1e-4);
        }
    }

    @Test
    void weightsAreViewsOfTheCheckpointNotCopies() throws Exception {
        RandomGpt2 w = new RandomGpt2(TANH, SEED);
        Map<String, Tensor> tf = w.openAi();
        InMemoryCheckpoint ckpt = new InMemoryCheckpoint("tf", tf);
        Gpt2Weights weights = Gpt2Weights.map(StateDict.of(ckpt), TANH, Gpt2WeightLayout.OPENAI_TF);
        Linear qkv = weights.blocks().get(1).attention();
        assertThat(qkv.layout()).isEqualTo(Linear.Layout.IN_OUT);
        assertThat(qkv.weight().segment()).isSameAs(tf.get("model/h1/attn/c_attn/w").segment());
        assertThat(qkv.weight().shape().toArray()).containsExactly(20, 60);
        assertThat(weights.tokenEmbedding().segment()).isSameAs(tf.get("model/wte").segment());
        assertThat(weights.head().weight()).isSameAs(weights.tokenEmbedding());
        assertThat(weights.head().layout()).isEqualTo(Linear.Layout.OUT_IN);

        Map<String, Tensor> nano = new RandomGpt2(ERF, SEED).nanoGpt("", DType.BF16);
        Gpt2Weights n = Gpt2Weights.map(StateDict.of(new InMemoryCheckpoint("nano", nano)), ERF,
                Gpt2WeightLayout.NANOGPT);
        Linear fc = n.blocks().get(0).mlpUp();
        assertThat(fc.layout()).isEqualTo(Linear.Layout.OUT_IN);
        assertThat(fc.weight().dtype()).isEqualTo(DType.BF16);
        assertThat(fc.weight().segment()).isSameAs(nano.get("transformer.h.0.mlp.c_fc.weight").segment());
        assertThat(fc.in()).isEqualTo(20);
        assertThat(fc.out()).isEqualTo(80);
    }

    @Test
    void everyProblemIsReportedInOneException() {
        Map<String, Tensor> m = new LinkedHashMap<>(new RandomGpt2(TANH, SEED).huggingFace(true, false, DType.F32));
        m.remove("transformer.h.1.ln_2.bias");
        m.remove("transformer.wpe.weight");
        m.put("transformer.h.0.attn.c_attn.weight", Tensor.fromFloats(new float[20 * 61], 20, 61));
        m.put("transformer.h.1.mlp.c_fc.bias", Tensor.fromFloats(DType.F64, new float[80], 80));
        m.put("transformer.h.2.ln_1.weight", Tensor.fromFloats(new float[20], 20));
        m.put("score.weight", Tensor.fromFloats(new float[6], 2, 3));
        InMemoryCheckpoint ckpt = new InMemoryCheckpoint("bad/model.safetensors", m);
        assertThatThrownBy(() -> Gpt2Weights.map(StateDict.of(ckpt), TANH, Gpt2WeightLayout.HUGGING_FACE))
                .isInstanceOfSatisfying(WeightMappingException.class, e -> {
                    assertThat(e.problems()).containsExactlyInAnyOrder(
                            "missing 'transformer.wpe.weight', expected shape [12, 20]",
                            "'transformer.h.0.attn.c_attn.weight' has shape [20, 61], expected [20, 60]",
                            "'transformer.h.1.mlp.c_fc.bias' is F64, expected F32, F16 or BF16",
                            "missing 'transformer.h.1.ln_2.bias', expected shape [20]",
                            "unexpected 'transformer.h.2.ln_1.weight' F32[20]: the config has 2 layers",
                            "unexpected 'score.weight' F32[2, 3]");
                    assertThat(e.getMessage()).startsWith("bad/model.safetensors: 6 problems with Hugging Face GPT-2 "
                            + "weights (names prefixed 'transformer.') for n_layer 2, n_embd 20");
                });
    }

    @Test
    void biasesInABiasFreeCheckpointAreUnexpected() {
        Map<String, Tensor> m = new LinkedHashMap<>(new RandomGpt2(ERF, SEED).nanoGpt("", DType.F32));
        InMemoryCheckpoint ckpt = new InMemoryCheckpoint("ckpt.pt", m);
        assertThatThrownBy(() -> Gpt2Weights.map(StateDict.of(ckpt), ERF_NO_BIAS, Gpt2WeightLayout.NANOGPT))
                .isInstanceOfSatisfying(WeightMappingException.class, e -> {
                    assertThat(e.problems()).hasSize(2 * 6 + 1);
                    assertThat(e.problems()).contains(
                            "unexpected 'transformer.h.1.attn.c_attn.bias' F32[60]: the config has bias=False",
                            "unexpected 'transformer.ln_f.bias' F32[20]: the config has bias=False");
                });
    }

    @Test
    void transposedMatricesAreCaughtByShape() {
        // nanoGPT's names are Hugging Face's prefixed names; only the [out, in] shapes tell them apart
        // (the square attn.c_proj cannot be told apart: which table applies comes from the source, never guessed)
        InMemoryCheckpoint ckpt = new InMemoryCheckpoint("ckpt.pt", new RandomGpt2(TANH, SEED).nanoGpt("", DType.F32));
        assertThatThrownBy(() -> Gpt2Weights.map(StateDict.of(ckpt), TANH, Gpt2WeightLayout.HUGGING_FACE))
                .isInstanceOf(WeightMappingException.class)
                .hasMessageContaining("'transformer.h.1.attn.c_attn.weight' has shape [60, 20], expected [20, 60]")
                .hasMessageContaining("'transformer.h.0.mlp.c_proj.weight' has shape [20, 80], expected [80, 20]");
    }
}
