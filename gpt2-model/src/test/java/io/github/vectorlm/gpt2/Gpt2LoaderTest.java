package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.ModelLoader;
import io.github.vectorlm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loader recognises, and how it refuses what it does not. */
class Gpt2LoaderTest {
    private static final Path HF = Oracle.RESOURCES.resolve("hf");
    private final Gpt2Loader loader = new Gpt2Loader();

    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsIt() {
        assertThat(ServiceLoader.load(ModelLoader.class).stream().map(ServiceLoader.Provider::type))
                .contains(Gpt2Loader.class);
        assertThat(loader.architecture()).isEqualTo("gpt2");
    }

    @Test
    void recognisesHuggingFaceFoldersFromTheirConfig() throws IOException {
        for (String variant : new String[] {"f32-safetensors", "f32-bin", "f32-sharded", "f32-unprefixed",
            "f32-hubstyle-bin", "f16", "bf16", "gelu"}) {
            Fixtures.require(HF.resolve(variant), HuggingFaceOracleTest.MADE_BY);
            assertThat(loader.canLoad(HF.resolve(variant))).as(variant).isTrue();
        }
        Path neox = Files.createDirectories(dir.resolve("neox"));
        Files.writeString(neox.resolve("config.json"), "{\"model_type\": \"gpt_neox\"}");
        Files.write(neox.resolve("model.safetensors"), new byte[16]);
        assertThat(loader.canLoad(neox)).isFalse();

        Path noWeights = Files.createDirectories(dir.resolve("no-weights"));
        Files.writeString(noWeights.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        assertThat(loader.canLoad(noWeights)).isFalse();

        Path notJson = Files.createDirectories(dir.resolve("not-json"));
        Files.writeString(notJson.resolve("config.json"), "model_type: gpt2");
        Files.write(notJson.resolve("pytorch_model.bin"), new byte[16]);
        assertThat(loader.canLoad(notJson)).isFalse();
    }

    @Test
    void recognisesOpenAiFoldersFromHparamsAndTheTfCheckpoint() throws IOException {
        Path tf = Files.createDirectories(dir.resolve("124M"));
        Files.writeString(tf.resolve("hparams.json"), "{\"n_vocab\": 50257}");
        assertThat(loader.canLoad(tf)).isFalse();
        Files.writeString(tf.resolve("checkpoint"), "model_checkpoint_path: \"model.ckpt\"\n");
        assertThat(loader.canLoad(tf)).isTrue();
    }

    @Test
    void refusesWhatIsNoGpt2() throws IOException {
        assertThat(loader.canLoad(dir)).isFalse();
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");
        assertThat(loader.canLoad(text)).isFalse();
        assertThat(loader.canLoad(dir.resolve("absent"))).isFalse();
        assertThatThrownBy(() -> loader.load(dir, LoadOptions.defaults()))
                .isInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("not a GPT-2 model");
        assertThatThrownBy(() -> loader.load(text, LoadOptions.defaults()))
                .isInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("notes.txt");
    }

    @Test
    void aFolderWithCkptPtIsRecognisedByNameAndItsPickleCheckedAtLoad() throws IOException {
        // recognising reads only the file's first bytes (a cold start then opens the archive once)
        Path notNanoGpt = Files.createDirectories(dir.resolve("state-dict"));
        Files.copy(HF.resolve("f32-bin/pytorch_model.bin"), notNanoGpt.resolve("ckpt.pt"));
        assertThat(loader.canLoad(notNanoGpt)).isTrue();
        assertThatThrownBy(() -> loader.load(notNanoGpt, LoadOptions.defaults()))
                .isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining(notNanoGpt.resolve("ckpt.pt").toString())
                .hasMessageContaining("not a nanoGPT checkpoint");
        Path notPyTorch = Files.createDirectories(dir.resolve("text"));
        Files.writeString(notPyTorch.resolve("ckpt.pt"), "not a checkpoint");
        assertThat(loader.canLoad(notPyTorch)).isFalse();
    }

    @Test
    void refusesOptionsItDoesNotSupport() {
        Path folder = HF.resolve("f32-safetensors");
        assertThatThrownBy(() -> loader.load(folder, LoadOptions.defaults().withLayers(l -> l == 0)))
                .isInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("subset of layers");
    }

    @Test
    void aConfigThatDisagreesWithTheWeightsListsEveryProblem() throws IOException {
        Path folder = copy(HF.resolve("f32-safetensors"), dir.resolve("three-layers"));
        Path config = folder.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"n_layer\": 2", "\"n_layer\": 3"));
        assertThatThrownBy(() -> loader.load(folder, LoadOptions.defaults()))
                .isInstanceOfSatisfying(WeightMappingException.class, e -> {
                    assertThat(e.problems()).hasSize(12).allMatch(p -> p.startsWith("missing 'transformer.h.2."));
                    assertThat(e.getMessage()).contains("model.safetensors: 12 problems with Hugging Face GPT-2 weights")
                            .contains("missing 'transformer.h.2.mlp.c_fc.weight', expected shape [64, 256]");
                });
    }

    @Test
    void anExplicitConfigReplacesTheOneBesideTheWeights() throws IOException {
        Path other = Files.writeString(dir.resolve("one-layer.json"), "{\"model_type\": \"gpt2\", \"vocab_size\": 131,"
                + " \"n_positions\": 32, \"n_embd\": 64, \"n_layer\": 1, \"n_head\": 4}");
        assertThatThrownBy(() -> loader.load(HF.resolve("f32-safetensors"), LoadOptions.defaults().withConfig(other)))
                .isInstanceOfSatisfying(WeightMappingException.class, e -> assertThat(e.problems()).hasSize(12)
                        .allMatch(p -> p.startsWith("unexpected 'transformer.h.1.")));
    }

    @Test
    void theTokenizerComesFromBesideTheWeightsOrFromTheOptions() throws IOException {
        Path folder = HF.resolve("f32-safetensors");
        try (Gpt2Model model = loader.load(folder, LoadOptions.defaults())) {
            assertThat(model.tokenizer()).isEmpty(); // the fixture folders carry none: ids only
        }
        Path encoder = Path.of("../models/gpt2-shakespeare/encoder.json");
        Fixtures.require(encoder, "the repository's demo model (models/gpt2-shakespeare)");
        try (Gpt2Model model = loader.load(folder, LoadOptions.defaults().withTokenizer(encoder))) {
            assertThat(model.tokenizer()).isPresent();
            assertThat(model.tokenizer().get().vocabSize()).isEqualTo(50257);
            assertThat(model.tokenizer().get().encode("Hello world")).containsExactly(15496, 995);
        }
        Path missing = dir.resolve("no-such-tokenizer.json");
        assertThatThrownBy(() -> loader.load(folder, LoadOptions.defaults().withTokenizer(missing)))
                .isInstanceOf(IOException.class).hasMessageContaining("no-such-tokenizer.json");
    }

    @Test
    void languageModelsPicksThisLoader() throws IOException {
        try (LanguageModel model = LanguageModels.load(HF.resolve("f16"))) {
            assertThat(model).isInstanceOf(Gpt2Model.class);
            assertThat(model.architecture()).isEqualTo("gpt2");
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
