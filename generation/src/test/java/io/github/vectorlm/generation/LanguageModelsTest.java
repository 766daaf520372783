package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loader discovery through ServiceLoader: two test loaders are registered in
 * src/test/resources/META-INF/services; each accepts a folder holding its marker file.
 */
class LanguageModelsTest {
    @TempDir
    Path dir;

    /** Accepts folders holding {@code a.marker}. */
    public static final class MarkerLoaderA implements ModelLoader {
        @Override
        public String architecture() {
            return "marker-a";
        }

        @Override
        public boolean canLoad(Path path) {
            return Files.exists(path.resolve("a.marker"));
        }

        @Override
        public LanguageModel load(Path path, LoadOptions options) {
            return new FakeModel(3, 4, null, (t, p, out, o) -> { });
        }
    }

    /** Accepts folders holding {@code b.marker}; fails on {@code broken.marker}. */
    public static final class MarkerLoaderB implements ModelLoader {
        @Override
        public String architecture() {
            return "marker-b";
        }

        @Override
        public boolean canLoad(Path path) throws IOException {
            if (Files.exists(path.resolve("broken.marker"))) {
                throw new IOException("cannot read broken.marker");
            }
            return Files.exists(path.resolve("b.marker"));
        }

        @Override
        public LanguageModel load(Path path, LoadOptions options) {
            return new FakeModel(5, 6, null, (t, p, out, o) -> { });
        }
    }

    @Test
    void serviceLoaderFindsTheRegisteredLoaders() {
        assertThat(LanguageModels.loaders()).extracting(ModelLoader::architecture).contains("marker-a", "marker-b");
    }

    @Test
    void theLoaderThatRecognisesThePathLoadsIt() throws IOException {
        Files.writeString(dir.resolve("b.marker"), "");
        try (LanguageModel model = LanguageModels.load(dir)) {
            assertThat(model.vocabSize()).isEqualTo(5);
        }
    }

    @Test
    void noLoaderGivesAnErrorListingLoadersAndContents() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("broken.marker"), "");
        assertThatThrownBy(() -> LanguageModels.load(dir)).isInstanceOf(UnrecognizedModelException.class)
                .hasMessageContaining("no model loader recognises " + dir)
                .hasMessageContaining("marker-a (" + MarkerLoaderA.class.getName() + "): no")
                .hasMessageContaining("marker-b (" + MarkerLoaderB.class.getName() + "): failed while looking")
                .hasMessageContaining("cannot read broken.marker")
                .hasMessageContaining("holds: broken.marker, config.json, sub/");
    }

    @Test
    void aFamilyWhoseLoaderIsMissingIsNamedWithItsArtifactOnTheFirstLine() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt_neox\", \"hidden_size\": 768}");
        assertThatThrownBy(() -> LanguageModels.load(dir)).isInstanceOf(UnrecognizedModelException.class)
                .satisfies(e -> assertThat(e.getMessage().lines().findFirst().orElseThrow()).isEqualTo(
                        "no model loader recognises " + dir + ": it looks like a GPT-NeoX model (config.json has model_type "
                                + "\"gpt_neox\"), whose loader is not installed: add the artifact "
                                + "io.github.vectorlm:vectorlm-neox-model to the dependencies (on the module path, also "
                                + "'requires io.github.vectorlm.neox;')"));

        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        assertThatThrownBy(() -> LanguageModels.load(dir)).hasMessageContaining("it looks like a GPT-2 model")
                .hasMessageContaining("io.github.vectorlm:vectorlm-gpt2-model");

        // the family's loader is there and said no: nothing to add, the loaders' answers say the rest
        ModelLoader neox = new ModelLoader() {
            @Override
            public String architecture() {
                return "gpt-neox";
            }

            @Override
            public boolean canLoad(Path path) {
                return false;
            }

            @Override
            public LanguageModel load(Path path, LoadOptions options) {
                throw new AssertionError();
            }
        };
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt_neox\"}");
        assertThatThrownBy(() -> LanguageModels.load(dir, LoadOptions.defaults(), List.of(neox)))
                .satisfies(e -> assertThat(e.getMessage().lines().findFirst().orElseThrow())
                        .isEqualTo("no model loader recognises " + dir));
    }

    @Test
    void twoClaimsAreAmbiguous() throws IOException {
        Files.writeString(dir.resolve("a.marker"), "");
        Files.writeString(dir.resolve("b.marker"), "");
        assertThatThrownBy(() -> LanguageModels.load(dir)).isInstanceOf(UnrecognizedModelException.class)
                .hasMessageContaining("several model loaders claim");
    }

    @Test
    void missingPathsAndEmptyLoaderListsAreExplained() throws IOException {
        assertThatThrownBy(() -> LanguageModels.load(dir.resolve("nope"))).isInstanceOf(NoSuchFileException.class);
        Path file = Files.writeString(dir.resolve("ckpt.pt"), "12345");
        assertThatThrownBy(() -> LanguageModels.load(file, LoadOptions.defaults(), List.of()))
                .hasMessageContaining("no model loaders are installed").hasMessageContaining("a file of 5 bytes");
    }
}
