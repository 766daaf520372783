package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.decoder.ExportFormat;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportType;
import io.github.vectorlm.decoder.ModelExport;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizers;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ModelExport} to Hugging Face folders, from every GPT-2 layout. Two checks per case: the
 * exported folder, loaded by our own loader, gives bit for bit the logits of the original (a
 * round trip of our own output), and the logits transformers' {@code from_pretrained} computed on
 * the same export (the independent oracle: {@code tools/make_export_fixtures.py}, fixtures in
 * {@code export/}) within 1e-4 of each row's scale, the tolerance of the HF oracle tests: both sides
 * compute in f32 from the same weights, in different orders. The script also recorded how far
 * transformers on the export is from the original model's own oracle: 5e-7 to 9e-7 of the row
 * scale for as-stored exports, 1.1e-3 for an f32 model exported as f16 (its weights rounded to f16,
 * 2^-11 relative, over two layers).
 */
class Gpt2ExportTest {
    private static final Path EXPORT = Oracle.RESOURCES.resolve("export");
    private static final String MADE_BY = "tools/make_export_fixtures.py";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "gpt2-hf-f32, hf/f32-safetensors, , 5000000000",
        "gpt2-hf-f32-sharded, hf/f32-safetensors, , 100000",
        "gpt2-hf-f16, hf/f16, , 5000000000",
        "gpt2-hf-bf16, hf/bf16, , 5000000000",
        "gpt2-hf-f32-to-f16, hf/f32-safetensors, f16, 5000000000",
        "gpt2-openai-tf, hf/openai-tf, , 5000000000",
        "gpt2-nanogpt-f32, nanogpt/f32, , 5000000000",
        "gpt2-nanogpt-nobias, nanogpt/nobias, , 5000000000"})
    void exportedFolderGivesTheOriginalsAndTransformersLogits(String name, String source, String type, long shard)
            throws IOException {
        JsonNode fixture = Fixtures.json(EXPORT.resolve(name + ".json"), MADE_BY);
        int[] ids = Fixtures.ints(fixture.get("ids"));
        Path out = temp.resolve(name);
        ModelExport.Result r = ModelExport.export(Oracle.RESOURCES.resolve(source), out,
                ExportOptions.of(ExportFormat.HF).withType(type == null ? null : ExportType.parse(type))
                        .withMaxShardBytes(shard), List.of(new Gpt2Loader()));
        assertThat(r.tensors()).isEqualTo(28);
        assertThat(out.resolve("config.json")).exists();
        assertThat(out.resolve("generation_config.json")).exists();
        if (shard < 1_000_000) {
            assertThat(out.resolve("model.safetensors.index.json")).exists();
            assertThat(out.resolve("model.safetensors")).doesNotExist();
            try (Stream<Path> files = Files.list(out)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".safetensors")).toList())
                        .as("shards of at most 100,000 bytes (one tensor may be larger)").hasSizeGreaterThan(2)
                        .allMatch(f -> f.matches("model-0000[0-9]-of-0000[0-9]\\.safetensors"));
            }
        }
        float[] exported;
        try (Gpt2Model model = new Gpt2Loader().load(out, LoadOptions.defaults())) {
            exported = Decoding.full(model, ids);
        }
        Logits.assertClose(name + ": ours on the export vs transformers on the export", exported, 0,
                Fixtures.matrix(fixture.get("logits")), 1e-4);
        if (type == null) {
            try (Gpt2Model model = new Gpt2Loader().load(Oracle.RESOURCES.resolve(source), LoadOptions.defaults())) {
                assertThat(exported).as(name + ": the export reloaded gives the original's logits bit for bit")
                        .containsExactly(Decoding.full(model, ids));
            }
        }
    }

    @Test
    void tokenizerJsonFromOpenAiFilesGivesHuggingFaceIds() throws IOException {
        JsonNode fixture = Fixtures.json(EXPORT.resolve("tokenizer-gpt2-shakespeare.json"), MADE_BY);
        Path demo = Oracle.RESOURCES.resolve("../../../../models/gpt2-shakespeare").normalize();
        Path out = temp.resolve("demo");
        ModelExport.export(demo, out, ExportOptions.of(ExportFormat.HF), List.of(new Gpt2Loader()));
        String text = fixture.get("text").asText();
        int[] ids = Tokenizers.load(out.resolve("tokenizer.json")).encode(text);
        assertThat(ids).as("our loader on the exported tokenizer.json vs Hugging Face tokenizers on it")
                .containsExactly(Fixtures.ints(fixture.get("ids")));
        assertThat(ids).as("vs the original encoder.json + vocab.bpe")
                .containsExactly(Tokenizers.load(demo.resolve("encoder.json")).encode(text));
        JsonNode config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.get("eos_token_id").asInt()).isEqualTo(50256);
        assertThat(config.get("vocab_size").asInt()).isEqualTo(50304); // nanoGPT's padded vocabulary
        assertThat(config.get("activation_function").asText()).isEqualTo("gelu"); // nanoGPT's exact GELU
    }

    @Test
    void refusesExistingOutputsAndBadTypes() throws IOException {
        Path src = Oracle.RESOURCES.resolve("hf/f32-safetensors");
        Path out = Files.createDirectory(temp.resolve("there"));
        Files.writeString(out.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> ModelExport.export(src, out, ExportOptions.of(ExportFormat.HF), List.of(new Gpt2Loader())))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("--force");
        assertThat(out.resolve("keep.txt")).exists();
        ModelExport.export(src, out, ExportOptions.of(ExportFormat.HF).withForce(true), List.of(new Gpt2Loader()));
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("model.safetensors")).exists();

        assertThatThrownBy(() -> ExportOptions.of(ExportFormat.HF).withType(ExportType.Q8_0))
                .hasMessageContaining("q8_0 is a GGUF block type");
        assertThatThrownBy(() -> ModelExport.export(temp.resolve("nothing"), temp.resolve("o"),
                ExportOptions.of(ExportFormat.HF), List.of(new Gpt2Loader()))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> ModelExport.export(src, temp.resolve("no/such/folder"),
                ExportOptions.of(ExportFormat.HF), List.of(new Gpt2Loader())))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("does not exist");
        Path notModel = Files.createDirectory(temp.resolve("empty"));
        assertThatThrownBy(() -> ModelExport.export(notModel, temp.resolve("o"), ExportOptions.of(ExportFormat.HF),
                List.of(new Gpt2Loader()))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no model loader recognises it");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("there", "empty");
        }
    }
}
