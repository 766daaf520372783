package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.neox.NeoxWeightLayout.Merge;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.VectorMath;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NeoX slim weights: the fixtures {@code slim} (2 partitions) and {@code slim4} (4) hold the
 * {@code par_r25_f16_st} weights split by the inverse of the four merge rules and saved with
 * {@code torch.save}, as GPT-NeoX writes them; merged, they must give Hugging Face's logits for
 * those weights. {@code slim_bad_ln} has partitions of a LayerNorm that disagree.
 */
class NeoxSlimTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"slim", "slim4"})
    void mergedSlimWeightsGiveHuggingFaceLogits(String variant) throws IOException {
        Path folder = NeoxFixtures.hf(variant);
        Expected e = Expected.read(folder);
        List<Long> progress = new ArrayList<>();
        LoadOptions options = LoadOptions.defaults().withProgress((task, done, total) -> progress.add(done));
        assertThat(new NeoxLoader().canLoad(folder)).isTrue();
        try (NeoxModel model = new NeoxLoader().load(folder, options)) {
            assertThat(model.config().parallelResidual()).isTrue();
            assertThat(model.config().vocabSize()).isEqualTo(e.logits()[0].length);
            int vocab = model.vocabSize();
            float[] logits = new float[e.ids().length * vocab];
            model.forwardAll(model.newSession(), e.ids(), 0, e.ids().length, logits);
            Logits.assertClose(variant + " merged, full forward", logits, 0, e.logits(), 1e-4);

            Session s = model.newSession();
            float[] last = new float[vocab];
            model.forward(s, e.prompt(), 0, e.prompt().length, last);
            int[] one = new int[1];
            for (int i = 0; i < e.greedy().length; i++) {
                one[0] = VectorMath.argmax(last, 0, vocab);
                assertThat(one[0]).as("greedy token %d", i).isEqualTo(e.greedy()[i]);
                model.forward(s, one, 0, 1, last);
            }
        }
        // one report before and one after each pipeline layer: embedding, 2 layers, final norm, head
        assertThat(progress).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    /**
     * {@code slim-from-hf/seq_tied_tanh}: the {@code seq_r25_base500_tanh_st} weights (f32, tied head,
     * sequential residual, rotary base 500, tanh GELU) split in two by
     * {@code tools/make_neox_slim_from_hf.py}, unequal bias shares, Python-style booleans and
     * {@code bias-gelu-fusion} in the YAML, no final_linear file (NeoX saves none for a tied head).
     */
    @Test
    void tiedSequentialFusedGeluSlimWeightsGiveHuggingFaceLogits() throws IOException {
        Path folder = Path.of("src/test/resources/slim-from-hf/seq_tied_tanh");
        Expected e = Expected.read(folder);
        try (NeoxModel model = new NeoxLoader().load(folder, LoadOptions.defaults())) {
            NeoxConfig c = model.config();
            assertThat(c.tiedEmbeddings()).isTrue();
            assertThat(c.parallelResidual()).isFalse();
            assertThat(c.activation()).isEqualTo(NeoxConfig.Activation.GELU_TANH);
            assertThat(c.rotaryBase()).isEqualTo(500.0);
            assertThat(model.embedding().dtype()).isEqualTo(DType.F32);
            float[] logits = new float[e.ids().length * model.vocabSize()];
            model.forwardAll(model.newSession(), e.ids(), 0, e.ids().length, logits);
            Logits.assertClose("seq_tied_tanh merged", logits, 0, e.logits(), 1e-4);
        }
    }

    /** Every merged tensor equals the Hugging Face tensor it was split from (sums up to f16 rounding of the shares). */
    @ParameterizedTest
    @ValueSource(strings = {"slim", "slim4"})
    void everyMergedTensorEqualsTheOriginal(String variant) throws IOException {
        NeoxSlimMerger merger = NeoxSlimMerger.open(NeoxFixtures.hf(variant));
        NeoxConfig config = NeoxConfig.fromNeoxYaml(merger.findConfig(null), merger.vocabSize());
        try (Arena arena = Arena.ofConfined();
                Checkpoint hf = Checkpoints.open(NeoxFixtures.hf("par_r25_f16_st"))) {
            Map<WeightKey<NeoxWeightLayout.Parameter>, Tensor> merged = merger.merge(config, null, (t, d, n) -> { }, arena);
            Map<WeightKey<NeoxWeightLayout.Parameter>, String> names = NeoxWeights.checkHuggingFace(StateDict.of(hf), config);
            assertThat(merged.keySet()).containsExactlyInAnyOrderElementsOf(names.keySet());
            for (Map.Entry<WeightKey<NeoxWeightLayout.Parameter>, Tensor> m : merged.entrySet()) {
                Tensor original = hf.tensor(names.get(m.getKey()));
                Tensor got = m.getValue();
                assertThat(got.dtype()).isEqualTo(DType.F16);
                assertThat(got.shape()).as(m.getKey().toString()).isEqualTo(original.shape());
                float[] a = got.toFloatArray();
                float[] b = original.toFloatArray();
                Merge rule = NeoxWeightLayout.SLIM.stream().filter(e -> e.parameter() == m.getKey().parameter())
                        .findFirst().orElseThrow().merge();
                double tolerance = rule == Merge.SUM ? 2.5e-7 : 0; // shares of f16 values below 2⁻¹⁴·8 lose low bits
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) Math.abs(a[i] - b[i])).as("%s element %d", m.getKey(), i)
                            .isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    /** Merged and written as a Hugging Face folder (safetensors + config.json), slim weights load without merging. */
    @Test
    void mergedWeightsConvertToAHuggingFaceFolder() throws IOException {
        Path slim = NeoxFixtures.hf("slim");
        Expected e = Expected.read(slim);
        NeoxSlimMerger merger = NeoxSlimMerger.open(slim);
        NeoxConfig config = merger.readConfig(null);
        Path out = Files.createDirectories(dir.resolve("converted"));
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = merger.mergeToHuggingFaceNames(config, null, (t, d, n) -> { }, arena);
            assertThat(tensors).containsKeys("gpt_neox.embed_in.weight", "gpt_neox.layers.1.mlp.dense_4h_to_h.bias",
                    "gpt_neox.final_layer_norm.bias", "embed_out.weight");
            io.github.vectorlm.checkpoint.SafetensorsWriter.write(tensors, out.resolve("model.safetensors"), Map.of());
        }
        Files.writeString(out.resolve("config.json"), config.toHuggingFaceJson());
        try (NeoxModel model = new NeoxLoader().load(out, LoadOptions.defaults())) {
            assertThat(model.config()).isEqualTo(config);
            float[] logits = new float[e.ids().length * model.vocabSize()];
            model.forwardAll(model.newSession(), e.ids(), 0, e.ids().length, logits);
            Logits.assertClose("slim converted to Hugging Face", logits, 0, e.logits(), 1e-4);
        }
    }

    /**
     * NeoX's {@code bias-gelu-fusion} selects its fused kernel, GELU's tanh form: the slim model with
     * it set equals the same weights loaded from Hugging Face files with {@code hidden_act gelu_fast},
     * and differs from the exact-GELU oracle.
     */
    @Test
    void biasGeluFusionMeansTheTanhForm() throws IOException {
        Path slim = copyTree(NeoxFixtures.hf("slim"), dir.resolve("slim"));
        Path yaml = slim.resolve("configs/tiny.yml");
        Files.writeString(yaml, Files.readString(yaml).replace("\"bias-gelu-fusion\": false", "\"bias-gelu-fusion\": true"));
        Path hf = copyTree(NeoxFixtures.hf("par_r25_f16_st"), dir.resolve("hf"));
        Path config = hf.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"gelu_fast\""));
        Expected e = Expected.read(NeoxFixtures.hf("slim"));
        int[] ids = e.ids();
        try (NeoxModel fused = new NeoxLoader().load(slim, LoadOptions.defaults());
                NeoxModel fast = new NeoxLoader().load(hf, LoadOptions.defaults())) {
            assertThat(fused.config().activation()).isEqualTo(NeoxConfig.Activation.GELU_TANH);
            int vocab = fused.vocabSize();
            float[] a = new float[ids.length * vocab];
            float[] b = new float[ids.length * vocab];
            fused.forwardAll(fused.newSession(), ids, 0, ids.length, a);
            fast.forwardAll(fast.newSession(), ids, 0, ids.length, b);
            Logits.assertClose("fused slim vs gelu_fast", a, 0, Logits.rows(b, ids.length, vocab), 1e-6);
            assertThatThrownBy(() -> Logits.assertClose("fused slim vs exact GELU", a, 0, e.logits(), 1e-5))
                    .isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void disagreeingLayerNormPartitionsAreRefusedByName() throws IOException {
        Path folder = NeoxFixtures.hf("slim_bad_ln");
        assertThatThrownBy(() -> new NeoxLoader().load(folder, LoadOptions.defaults()))
                .isInstanceOf(WeightMappingException.class)
                .hasMessageContaining("'input_layernorm.weight'")
                .hasMessageContaining("layer_02-model_01-model_states.pt")
                .hasMessageContaining("partition 1");
    }

    @Test
    void layerFilterLoadsOnlyTheChosenLayers() throws IOException {
        Path folder = NeoxFixtures.hf("slim");
        List<Long> totals = new ArrayList<>();
        LoadOptions options = LoadOptions.defaults().withLayers(l -> l == 1)
                .withProgress((task, done, total) -> totals.add(total));
        try (NeoxModel model = new NeoxLoader().load(folder, options)) {
            assertThat(model.loadedLayers()).containsExactly(1);
            assertThat(model.toString()).contains("layers loaded [1]");
            // embedding, layer 1, final norm, head
            assertThat(totals).containsOnly(4L);
            float[] logits = new float[model.vocabSize()];
            model.forward(model.newSession(), new int[] {1, 2, 3}, 0, 3, logits);
            for (float v : logits) {
                assertThat(v).isFinite();
            }
        }
        // the filter skips a layer's files entirely: layer 0's partitions may even be absent
        Path copy = copyTree(folder, dir.resolve("partial"));
        Files.delete(copy.resolve("global_step7/layer_02-model_00-model_states.pt"));
        Files.delete(copy.resolve("global_step7/layer_02-model_01-model_states.pt"));
        try (NeoxModel model = new NeoxLoader().load(copy, options)) {
            assertThat(model.loadedLayers()).containsExactly(1);
        }
        assertThatThrownBy(() -> new NeoxLoader().load(copy, LoadOptions.defaults()))
                .isInstanceOf(WeightMappingException.class).hasMessageContaining("missing layer_02-model_00")
                .hasMessageContaining("transformer layer 0");
    }

    @Test
    void layerFilterOnHuggingFaceFolders() throws IOException {
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf("par_r25_f32_st"),
                LoadOptions.defaults().withLayers(l -> l == 0))) {
            assertThat(model.loadedLayers()).containsExactly(0);
        }
        assertThatThrownBy(() -> new NeoxLoader().load(NeoxFixtures.hf("par_r25_f32_st"),
                LoadOptions.defaults().withLayers(l -> l > 5)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("none of the model's 2 layers");
    }

    @Test
    void configIsFoundBesideLatestOrGiven() throws IOException {
        Path copy = copyTree(NeoxFixtures.hf("slim"), dir.resolve("slim"));
        NeoxSlimMerger merger = NeoxSlimMerger.open(copy);
        assertThat(merger.findConfig(null)).isEqualTo(copy.resolve("configs/tiny.yml"));
        assertThat(merger.partitions()).isEqualTo(2);
        assertThat(merger.vocabSize()).isEqualTo(128);

        Files.writeString(copy.resolve("local_setup.yml"), "{\"data-path\": \"/data\"}");
        assertThatThrownBy(() -> merger.findConfig(null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("several").hasMessageContaining("local_setup.yml")
                .hasMessageContaining("tiny.yml").hasMessageContaining("--config");
        // several are fine when one is named
        Path explicit = copy.resolve("configs/tiny.yml");
        try (NeoxModel model = new NeoxLoader().load(copy, LoadOptions.defaults().withConfig(explicit))) {
            assertThat(model.config().layers()).isEqualTo(2);
        }

        Files.delete(copy.resolve("local_setup.yml"));
        Files.createDirectories(copy.resolve("global_step7/configs"));
        Files.move(copy.resolve("configs/tiny.yml"), copy.resolve("global_step7/configs/tiny.yml"));
        assertThat(merger.findConfig(null)).isEqualTo(copy.resolve("global_step7/configs/tiny.yml"));
        Files.delete(copy.resolve("global_step7/configs/tiny.yml"));
        assertThatThrownBy(() -> merger.findConfig(null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no GPT-NeoX YAML config");
    }

    @Test
    void theStepFolderItselfLoads() throws IOException {
        Path copy = copyTree(NeoxFixtures.hf("slim"), dir.resolve("slim"));
        try (NeoxModel model = new NeoxLoader().load(copy.resolve("global_step7"),
                LoadOptions.defaults().withConfig(copy.resolve("configs/tiny.yml")))) {
            assertThat(model.config().vocabSize()).isEqualTo(128);
        }
    }

    @Test
    void badLatestAndMissingPartitionsAreReported() throws IOException {
        Path copy = copyTree(NeoxFixtures.hf("slim"), dir.resolve("slim"));
        Files.writeString(copy.resolve("latest"), "../../etc");
        assertThatThrownBy(() -> NeoxSlimMerger.open(copy)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("latest").hasMessageContaining("../../etc");
        Files.writeString(copy.resolve("latest"), "global_step8\n");
        assertThatThrownBy(() -> NeoxSlimMerger.open(copy)).hasMessageContaining("global_step8");
        Files.writeString(copy.resolve("latest"), "global_step7\n");
        Files.delete(copy.resolve("global_step7/layer_03-model_01-model_states.pt"));
        Files.delete(copy.resolve("global_step7/layer_05-model_01-model_states.pt"));
        assertThatThrownBy(() -> NeoxSlimMerger.open(copy)).isInstanceOf(WeightMappingException.class)
                .hasMessageContaining("missing layer_03-model_01-model_states.pt")
                .hasMessageContaining("missing layer_05-model_01-model_states.pt")
                .hasMessageContaining("2 partitions");
    }

    /** Wrong files in place of others: every problem is listed in one exception. */
    @Test
    void misplacedAndMisshapedPartitionsAreListedTogether() throws IOException {
        Path copy = copyTree(NeoxFixtures.hf("slim"), dir.resolve("slim"));
        Path step = copy.resolve("global_step7");
        // the embedding's partition where layer 1's should be
        Files.copy(step.resolve("layer_00-model_00-model_states.pt"), step.resolve("layer_03-model_00-model_states.pt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // a quarter-width partition of layer 0 (from the 4-way split) beside a half-width one
        Files.copy(NeoxFixtures.hf("slim4").resolve("global_step7/layer_02-model_00-model_states.pt"),
                step.resolve("layer_02-model_00-model_states.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // a pipeline layer a 2-layer model does not have
        Files.copy(step.resolve("layer_05-model_00-model_states.pt"), step.resolve("layer_09-model_00-model_states.pt"));
        Files.copy(step.resolve("layer_05-model_01-model_states.pt"), step.resolve("layer_09-model_01-model_states.pt"));
        WeightMappingException e = org.junit.jupiter.api.Assertions.assertThrows(WeightMappingException.class,
                () -> new NeoxLoader().load(copy, LoadOptions.defaults()));
        System.out.println(e.getMessage());
        assertThat(e.getMessage())
                .contains("layer_03-model_00-model_states.pt: unexpected 'word_embeddings.weight'")
                .contains("layer_03-model_00-model_states.pt: missing 'input_layernorm.weight'")
                .contains("'attention.query_key_value.weight' in layer_02-model_00-model_states.pt .. "
                        + "layer_02-model_01-model_states.pt: partitions [48, 64], [96, 64] merge to [144, 64], "
                        + "expected [192, 64]")
                .contains("unexpected layer_09-model_00-model_states.pt");
        assertThat(e.problems().size()).isGreaterThanOrEqualTo(4);
    }

    // ---------------------------------------------------------------- the four rules on hand-made tensors

    private static Tensor t(float[] values, long... shape) {
        return Tensor.fromFloats(DType.F16, values, shape);
    }

    private static final List<Path> FILES = List.of(Path.of("p0.pt"), Path.of("p1.pt"), Path.of("p2.pt"));

    @Test
    void concatenatesRowsAndColumns() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor rows = SlimPartitions.merge(Merge.CONCAT_ROWS, "w", FILES,
                    List.of(t(new float[] {1, 2}, 1, 2), t(new float[] {3, 4, 5, 6}, 2, 2), t(new float[] {7, 8}, 1, 2)),
                    Shape.of(4, 2), arena);
            assertThat(rows.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            Tensor columns = SlimPartitions.merge(Merge.CONCAT_COLUMNS, "w", FILES,
                    List.of(t(new float[] {1, 2, 5, 6}, 2, 2), t(new float[] {3, 7}, 2, 1), t(new float[] {4, 8}, 2, 1)),
                    Shape.of(2, 4), arena);
            assertThat(columns.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(columns.dtype()).isEqualTo(DType.F16);
            // a transposed (non-contiguous) partition is read by its strides
            Tensor transposed = t(new float[] {3, 7, 4, 8}, 2, 2).transpose(0, 1); // [[3, 4], [7, 8]]
            Tensor mixed = SlimPartitions.merge(Merge.CONCAT_COLUMNS, "w", FILES.subList(0, 2),
                    List.of(t(new float[] {1, 2, 5, 6}, 2, 2), transposed), Shape.of(2, 4), arena);
            assertThat(mixed.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void sumsSharesAndAveragesDuplicates() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor sum = SlimPartitions.merge(Merge.SUM, "b", FILES,
                    List.of(t(new float[] {0.5f, -1}, 2), t(new float[] {0.25f, 2}, 2), t(new float[] {0.25f, 0.5f}, 2)),
                    Shape.of(2), arena);
            assertThat(sum.toFloatArray()).containsExactly(1f, 1.5f);
            // partitions within the tolerance: their mean (f16 of 1 + 1/1024: Σ(x_p − x_0)² = 2⁻²⁰ < 1e-4)
            float a = 1f;
            float b = 1f + 1f / 1024;
            Tensor mean = SlimPartitions.merge(Merge.DUPLICATE, "ln", FILES.subList(0, 2),
                    List.of(t(new float[] {a, 2}, 2), t(new float[] {b, 2}, 2)), Shape.of(2), arena);
            assertThat(mean.toFloatArray()[1]).isEqualTo(2f);
            assertThat(mean.toFloatArray()[0]).isBetween(a, b);
        }
    }

    @Test
    void refusesDuplicatesThatDisagree() {
        try (Arena arena = Arena.ofConfined()) {
            // Σ(x_p − x_0)² = 0.01² × 2 = 2e-4 ≥ 1e-4 (f16 rounds 0.01 to 0.0100021…)
            assertThatThrownBy(() -> SlimPartitions.merge(Merge.DUPLICATE, "norm.weight", FILES,
                    List.of(t(new float[] {1, 1}, 2), t(new float[] {1, 1}, 2), t(new float[] {1.01f, 0.99f}, 2)),
                    Shape.of(2), arena))
                    .isInstanceOf(WeightMappingException.class).hasMessageContaining("'norm.weight'")
                    .hasMessageContaining("partition 2").hasMessageContaining("p2.pt").hasMessageContaining("p0.pt");
        }
    }

    private static Path copyTree(Path source, Path to) throws IOException {
        Path from = source.toRealPath();
        try (Stream<Path> all = Files.walk(from)) {
            all.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
