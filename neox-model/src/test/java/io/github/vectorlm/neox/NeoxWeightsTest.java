package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.testing.InMemoryCheckpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Hugging Face name table against edited copies of a real fixture: every problem is reported, all at once. */
class NeoxWeightsTest {
    private static final String L = "gpt_neox.layers.";

    private static Map<String, Tensor> tensorsOf(String variant) throws IOException {
        try (Checkpoint c = Checkpoints.open(NeoxFixtures.hf(variant))) {
            return InMemoryCheckpoint.copyAll(c);
        }
    }

    private static NeoxConfig configOf(String variant) throws IOException {
        return NeoxConfig.fromHuggingFace(NeoxFixtures.hf(variant).resolve("config.json"));
    }

    @Test
    void listsMissingUnknownMisshapedAndMistypedTensorsTogether() throws IOException {
        Map<String, Tensor> t = tensorsOf("par_r25_f32_st");
        t.remove(L + "1.mlp.dense_4h_to_h.bias");
        t.put(L + "7.attention.dense.weight", Tensor.allocate(Arena.ofAuto(), DType.F32, 64, 64));
        t.put(L + "0.attention.query_key_value.weight", Tensor.allocate(Arena.ofAuto(), DType.F32, 64, 64));
        t.put("gpt_neox.embed_in.weight", Tensor.allocate(Arena.ofAuto(), DType.I32, 128, 64));
        t.put("gpt_neox.extra_norm.weight", Tensor.allocate(Arena.ofAuto(), DType.F32, 64));
        // buffers older transformers versions saved are tolerated
        t.put(L + "0.attention.bias", Tensor.allocate(Arena.ofAuto(), DType.BOOL, 1, 1, 64, 64));
        t.put(L + "0.attention.masked_bias", Tensor.allocate(Arena.ofAuto(), DType.F32));
        t.put(L + "1.attention.rotary_emb.inv_freq", Tensor.allocate(Arena.ofAuto(), DType.F32, 2));
        t.put("gpt_neox.rotary_emb.inv_freq", Tensor.allocate(Arena.ofAuto(), DType.F32, 2));
        Checkpoint bad = new InMemoryCheckpoint(Path.of("edited.safetensors"), t);
        WeightMappingException e = org.junit.jupiter.api.Assertions.assertThrows(WeightMappingException.class,
                () -> NeoxWeights.mapHuggingFace(bad, configOf("par_r25_f32_st"), null));
        System.out.println(e.getMessage());
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "'gpt_neox.embed_in.weight' is I32, expected F32, F16 or BF16",
                "'gpt_neox.layers.0.attention.query_key_value.weight' has shape [64, 64], expected [192, 64]",
                "missing 'gpt_neox.layers.1.mlp.dense_4h_to_h.bias', expected shape [64]",
                "unexpected 'gpt_neox.layers.7.attention.dense.weight' F32[64, 64]: the config has 2 layers",
                "unexpected 'gpt_neox.extra_norm.weight' F32[64]");
        assertThat(e.getMessage()).startsWith("edited.safetensors: 5 problems with Hugging Face GPT-NeoX weights for "
                + "hidden 64, 2 layers");
    }

    @Test
    void theHeadMayBeCalledEmbedOutOrLmHeadButNotBoth() throws IOException {
        Map<String, Tensor> t = tensorsOf("par_r25_f32_st");
        Tensor head = t.remove("lm_head.weight");
        NeoxConfig config = configOf("par_r25_f32_st");
        assertThatThrownBy(() -> NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), config, null))
                .isInstanceOf(WeightMappingException.class)
                .hasMessageContaining("missing 'embed_out.weight' or 'lm_head.weight', expected shape [128, 64]");
        t.put("embed_out.weight", head);
        NeoxWeights w = NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), config, null);
        assertThat(w.head().weight()).isSameAs(head);
        t.put("lm_head.weight", head);
        assertThatThrownBy(() -> NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), config, null))
                .hasMessageContaining("both 'embed_out.weight' and 'lm_head.weight' are present");
    }

    @Test
    void aTiedHeadReadsTheEmbeddingAndASavedCopyIsTolerated() throws IOException {
        Map<String, Tensor> t = tensorsOf("seq_r25_base500_tanh_st");
        NeoxConfig config = configOf("seq_r25_base500_tanh_st");
        assertThat(config.tiedEmbeddings()).isTrue();
        t.remove("lm_head.weight"); // the tied fixture may hold the copy transformers saves
        t.remove("embed_out.weight");
        NeoxWeights w = NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), config, null);
        assertThat(w.head().weight()).isSameAs(w.embedding());
        t.put("lm_head.weight", t.get("gpt_neox.embed_in.weight").copyTo(Arena.ofAuto()));
        NeoxWeights again = NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), config, null);
        assertThat(again.head().weight()).isSameAs(again.embedding());
    }

    @Test
    void attentionBiasesMustMatchTheConfig() throws IOException {
        Map<String, Tensor> t = tensorsOf("par_r25_f32_st");
        NeoxConfig c = configOf("par_r25_f32_st");
        NeoxConfig noBias = new NeoxConfig(c.vocabSize(), c.hiddenSize(), c.layers(), c.heads(), c.intermediateSize(),
                c.maxPositions(), c.rotaryPct(), c.rotaryBase(), c.parallelResidual(), c.activation(), c.layerNormEps(),
                c.tiedEmbeddings(), false);
        WeightMappingException e = org.junit.jupiter.api.Assertions.assertThrows(WeightMappingException.class,
                () -> NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), noBias, null));
        assertThat(e.problems()).hasSize(4).allMatch(p -> p.contains("attention_bias false"));
        for (int l = 0; l < 2; l++) {
            t.remove(L + l + ".attention.query_key_value.bias");
            t.remove(L + l + ".attention.dense.bias");
        }
        NeoxWeights w = NeoxWeights.mapHuggingFace(new InMemoryCheckpoint(Path.of("x"), t), noBias, null);
        assertThat(w.layers().get(0).attention().bias()).isNull();
        assertThat(w.layers().get(0).attentionOutput().bias()).isNull();
    }

    /** Hugging Face weights are views of the mapped file, as stored: no copy, no widening. */
    @Test
    void huggingFaceWeightsAreUsedInPlace() throws IOException {
        Path folder = NeoxFixtures.hf("par_r25_f16_st");
        long fileSize = Files.size(folder.resolve("model.safetensors"));
        try (NeoxModel model = new NeoxLoader().load(folder, LoadOptions.defaults())) {
            assertThat(model.embedding().dtype()).isEqualTo(DType.F16);
            assertThat(model.embedding().segment().byteSize()).isEqualTo(fileSize);
        }
    }

    @Test
    void refusesWhatIsNoNeoxModel() throws IOException {
        NeoxLoader loader = new NeoxLoader();
        Path gpt2 = Path.of("../models/gpt2-shakespeare");
        assertThat(loader.canLoad(gpt2)).isFalse();
        assertThatThrownBy(() -> loader.load(gpt2, LoadOptions.defaults()))
                .hasMessageContaining("not a GPT-NeoX model");
        assertThat(loader.canLoad(NeoxFixtures.hf("par_r25_f32_st"))).isTrue();
        assertThat(loader.canLoad(NeoxFixtures.hf("par_r25_f32_st").resolve("model.safetensors"))).isTrue();
        assertThat(loader.architecture()).isEqualTo("gpt-neox");
    }
}
