package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.GgmlType;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufReader;
import io.github.vectorlm.decoder.ExportFormat;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportType;
import io.github.vectorlm.decoder.ModelExport;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.GgufListing;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
    /**
     * A bf16 export's logits, loaded back, against the model's, of the row scale: bf16 rounds each
     * weight by at most 2^-9 relative, which left errors of a few 1e-3 (measured 3.2e-3); 1e-2.
     */
    private static final double TOL_BF16 = 1e-2;
    /**
     * A q4_0 export's, likewise: 4-bit blocks (the token embedding too) move logits by a tenth of the
     * row scale on these small models (measured 7.4e-2); about twice that. Loose, so the
     * perplexity bound and the byte-for-byte blocks carry the weight of the check.
     */
    private static final double TOL_Q4_0 = 0.15;
    /** bf16's relative perplexity change on the 2,000 validation tokens (measured −0.003 %): within 0.2 %. */
    private static final double PPL_BF16 = 0.002;
    /**
     * q4_0's (measured +0.62 %): within 2 %, the bound of Q4_0 quantized at load (llama.cpp
     * reports Q4_0 a few percent above f16 on its models).
     */
    private static final double PPL_Q4_0 = 0.02;

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

    /**
     * bf16 and q4_0, for which there is no converter fixture (the converter writes no Q4_0): the
     * types are the documented ones (vectors and the position embedding F32; every other matrix, the
     * token embedding included, in the export type, except a q4_0 file's head, {@code output.weight},
     * in Q8_0), the Q4_0 blocks are {@link BlockType#quantize}'s of the checkpoint's weights byte for
     * byte (c_fc stored [out, in] by nanoGPT, as ffn_up is), and our loader takes the file back with
     * logits near the model's and nearly its perplexity on the validation tokens ({@code TOL_*},
     * {@code PPL_*}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"bf16", "q4_0"})
    void exportInBf16AndQ4_0HasTheDocumentedTypesAndLoadsBack(String type) throws IOException {
        Path out = temp.resolve("m.gguf");
        ModelExport.export(DEMO, out, ExportOptions.of(ExportFormat.GGUF).withType(ExportType.parse(type)),
                List.of(new Gpt2Loader()));
        GgmlType matrices = type.equals("bf16") ? GgmlType.BF16 : GgmlType.Q4_0;
        try (GgufCheckpoint g = GgufReader.open(out)) {
            assertThat(g.tensorNames()).hasSize(77).contains("token_embd.weight", "position_embd.weight", "output.weight");
            for (String name : g.tensorNames()) {
                GgmlType expected = g.info(name).shape().rank() == 1 || name.equals("position_embd.weight") ? GgmlType.F32
                        : name.equals("output.weight") && matrices == GgmlType.Q4_0 ? GgmlType.Q8_0 : matrices;
                assertThat(g.ggmlType(name)).as(name).isEqualTo(expected);
            }
            if (matrices == GgmlType.Q4_0) {
                try (Checkpoint source = Checkpoints.open(DEMO.resolve("ckpt.pt"))) {
                    for (String[] pair : new String[][] {{"transformer.wte.weight", "token_embd.weight"},
                        {"transformer.h.0.mlp.c_fc.weight", "blk.0.ffn_up.weight"}}) {
                        String name = source.tensorNames().stream().filter(n -> n.endsWith(pair[0])).findFirst()
                                .orElseThrow(() -> new AssertionError(pair[0] + " not in " + source.tensorNames()));
                        float[] weights = source.tensor(name).toFloatArray();
                        MemorySegment reference = Arena.ofAuto().allocate(BlockType.Q4_0.bytesFor(weights.length));
                        BlockType.Q4_0.quantize(weights, 0, weights.length, reference, 0);
                        assertThat(g.quantized(pair[1]).data().mismatch(reference)).as(pair[1] + " vs BlockType.Q4_0 of "
                                + name).isEqualTo(-1L);
                    }
                }
            }
        }
        int[] ids = Fixtures.ints(Fixtures.json(Oracle.RESOURCES.resolve("export/gguf-gpt2-shakespeare-f32.json"),
                "tools/make_gguf_export_fixtures.py").get("ids"));
        try (Gpt2Model original = new Gpt2Loader().load(DEMO, LoadOptions.defaults());
                Gpt2Model back = new Gpt2Loader().load(out, LoadOptions.defaults())) {
            Logits.assertClose("exported " + type + " GGUF loaded back", Decoding.full(back, ids), 0,
                    Logits.rows(Decoding.full(original, ids), ids.length, original.vocabSize()),
                    type.equals("bf16") ? TOL_BF16 : TOL_Q4_0);
            double change = Decoding.perplexityChange(original, back, DEMO.resolve("score.json"),
                    "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)");
            System.out.printf("%s GGUF, 2000 validation tokens: perplexity %+.3f%% of the model's%n", type, 100 * change);
            assertThat(Math.abs(change)).as(type + " relative perplexity change").isLessThan(type.equals("bf16")
                    ? PPL_BF16 : PPL_Q4_0);
        }
    }
}
