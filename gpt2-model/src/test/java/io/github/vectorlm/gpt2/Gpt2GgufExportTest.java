package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufReader;
import io.github.vectorlm.decoder.ExportFormat;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportType;
import io.github.vectorlm.decoder.ModelExport;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.GgufListing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ModelExport} to GGUF against llama.cpp's own tools ({@code tools/make_gguf_export_fixtures.py}):
 * the demo model (a nanoGPT checkpoint) exported straight to GGUF must list exactly as what
 * {@code convert_hf_to_gguf.py} (c392e50) writes from the model's Hugging Face export — every
 * metadata key's type and value, every tensor's name, type, shape and data bytes (SHA-256), Q8_0
 * blocks included — except {@code general.name}, which the converter derives from the folder name.
 * And llama.cpp's logits on our file (the fixture) must be the model's: within 1e-3 of each row's
 * scale, with the same top token, because llama.cpp computes GELU with its tanh approximation read
 * from an f16 table where this nanoGPT model uses exact erf GELU, and keeps the KV cache in f16
 * (the fixture records llama.cpp on our file against llama.cpp on the converter's: identical).
 */
class Gpt2GgufExportTest {
    static final Path DEMO = Path.of("../models/gpt2-shakespeare");
    static final Set<String> DESCRIPTIVE = Set.of("general.name");

    @org.junit.jupiter.api.io.TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "q8_0"})
    void exportListsAsLlamaCppsConverterWritesAndRunsInLlamaCpp(String type) throws IOException {
        JsonNode fixture = Fixtures.json(Oracle.RESOURCES.resolve("export/gguf-gpt2-shakespeare-" + type + ".json"),
                "tools/make_gguf_export_fixtures.py");
        Path out = temp.resolve("m.gguf");
        ModelExport.export(DEMO, out, ExportOptions.of(ExportFormat.GGUF).withType(ExportType.parse(type)),
                List.of(new Gpt2Loader()));
        try (GgufCheckpoint g = GgufReader.open(out)) {
            GgufListing.assertSameAs(g, fixture.get("converter_listing"), DESCRIPTIVE, Set.of(), Set.of());
        }
        if (type.equals("f32")) {
            assertThat(fixture.get("llama_cpp_export_vs_converter_max_rel").asDouble()).isZero();
            float[] ours;
            int[] ids = Fixtures.ints(fixture.get("ids"));
            try (Gpt2Model model = new Gpt2Loader().load(DEMO, LoadOptions.defaults())) {
                ours = Decoding.full(model, ids);
                GgufListing.assertLlamaCppLogits(fixture, ours, model.vocabSize(), 1e-3);
            }
        }
    }

}
