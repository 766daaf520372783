package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.GgmlType;
import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufReader;
import io.github.vectorlm.checkpoint.SafetensorsWriter;
import io.github.vectorlm.decoder.ExportFormat;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportType;
import io.github.vectorlm.decoder.ModelExport;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizers;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.GgufListing;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ModelExport} of GPT-NeoX: Hugging Face folders from Hugging Face folders and from slim
 * weights (2 and 4 partitions, merged a pipeline layer at a time), checked as GPT-2's are (our
 * loader on the export bit for bit against the original; transformers' logits on the export,
 * {@code tools/make_export_fixtures.py}, within 1e-4 of the row scale); and GGUF files against
 * llama.cpp's converter and llama.cpp ({@code tools/make_gguf_export_fixtures.py}).
 */
class NeoxExportTest {
    private static final Path EXPORT = Path.of("src/test/resources/export");
    /**
     * A bf16 export's logits, loaded back, against the model's, of the row scale: bf16 rounds each
     * weight by at most 2^-9 relative, which left errors of a few 1e-3 (measured 2.5e-3); 1e-2.
     */
    private static final double TOL_BF16 = 1e-2;
    /**
     * A q4_0 export's, likewise: 4-bit blocks (the token embedding too) move logits by a tenth of the
     * row scale on these small models (measured 1.3e-1); about twice that. Loose, so the
     * perplexity bound and the byte-for-byte blocks carry the weight of the check.
     */
    private static final double TOL_Q4_0 = 0.25;
    /** bf16's relative perplexity change on the 2,000 validation tokens (measured −0.009 %): within 0.2 %. */
    private static final double PPL_BF16 = 0.002;
    /**
     * q4_0's (measured +0.26 %): within 2 %, the bound of Q4_0 quantized at load (llama.cpp
     * reports Q4_0 a few percent above f16 on its models).
     */
    private static final double PPL_Q4_0 = 0.02;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"neox-par-f32, par_r25_f32_st", "neox-seq-tanh, seq_r25_base500_tanh_st", "neox-slim, slim",
        "neox-slim4, slim4"})
    void exportedFolderGivesTheOriginalsAndTransformersLogits(String name, String source) throws IOException {
        JsonNode fixture = Fixtures.json(EXPORT.resolve(name + ".json"), "tools/make_export_fixtures.py");
        int[] ids = Fixtures.ints(fixture.get("ids"));
        Path out = temp.resolve(name);
        ModelExport.export(NeoxFixtures.HF.resolve(source), out, ExportOptions.of(ExportFormat.HF),
                List.of(new NeoxLoader()));
        float[] exported;
        try (NeoxModel model = new NeoxLoader().load(out, LoadOptions.defaults())) {
            exported = Decoding.full(model, ids);
        }
        Logits.assertClose(name + ": ours on the export vs transformers on the export", exported, 0,
                Fixtures.matrix(fixture.get("logits")), 1e-4);
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.HF.resolve(source), LoadOptions.defaults())) {
            assertThat(exported).as(name + ": the export reloaded gives the original's logits bit for bit")
                    .containsExactly(Decoding.full(model, ids));
        }
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.has("rotary_pct") && config.has("rotary_emb_base")).isTrue();
    }

    @Test
    void tokenizerIsCopied() throws IOException {
        JsonNode fixture = Fixtures.json(EXPORT.resolve("tokenizer-neox-shakespeare.json"), "tools/make_export_fixtures.py");
        Path out = temp.resolve("demo");
        ModelExport.export(NeoxFixtures.SHAKESPEARE, out, ExportOptions.of(ExportFormat.HF), List.of(new NeoxLoader()));
        int[] ids = Tokenizers.load(out.resolve("tokenizer.json")).encode(fixture.get("text").asText());
        assertThat(ids).containsExactly(Fixtures.ints(fixture.get("ids")));
    }

    /**
     * As GPT-2's GGUF test, with what differs by design: the demo model ties its head, which the
     * converter then leaves out and llama.cpp refuses (it needs {@code output.weight}), so ours
     * holds a copy of the embedding (and gguf-py's size label counts it); and the converter's
     * transformers 5 adds a {@code <|padding|>} token (GPTNeoXTokenizer's default pad token) that the
     * model's tokenizer.json does not have, so the token lists differ in that one unused id. llama.cpp
     * on our file against the model: within 1e-3 of the row scale, same top token (llama.cpp's
     * tanh GELU from an f16 table where the model has exact GELU, and its f16 KV cache).
     */
    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "q8_0"})
    void ggufListsAsLlamaCppsConverterWritesAndRunsInLlamaCpp(String type) throws IOException {
        JsonNode fixture = Fixtures.json(EXPORT.resolve("gguf-neox-shakespeare-" + type + ".json"),
                "tools/make_gguf_export_fixtures.py");
        Path out = temp.resolve("m.gguf");
        ModelExport.export(NeoxFixtures.SHAKESPEARE, out,
                ExportOptions.of(ExportFormat.GGUF).withType(ExportType.parse(type)), List.of(new NeoxLoader()));
        try (GgufCheckpoint g = GgufReader.open(out)) {
            GgufListing.assertSameAs(g, fixture.get("converter_listing"), Set.of("general.name", "general.size_label",
                    "tokenizer.ggml.tokens", "tokenizer.ggml.token_type"), Set.of("output.weight"), Set.of());
            assertThat(g.metadata().get("tokenizer.ggml.pre")).isEqualTo("olmo");
        }
        assertThat(fixture.get("llama_cpp_on_export").asText()).isEqualTo("ok");
        // our own GGUF loader takes the file back (Pythia GGUFs name their pre-tokenizer "olmo"):
        // same tokenizer ids, and logits near the original's (f32: the same weights, q/k/v reordered)
        int[] ids = Fixtures.ints(fixture.get("ids"));
        String text = "ROMEO:\nWhat light through yonder window breaks? 1234 résumé";
        try (NeoxModel original = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults());
                NeoxModel back = new NeoxLoader().load(out, LoadOptions.defaults())) {
            assertThat(back.tokenizer().orElseThrow().encode(text))
                    .containsExactly(original.tokenizer().orElseThrow().encode(text));
            float[] reference = Decoding.full(original, ids);
            int vocab = original.vocabSize();
            double[][] rows = new double[ids.length][vocab];
            for (int r = 0; r < ids.length; r++) {
                for (int v = 0; v < vocab; v++) {
                    rows[r][v] = reference[r * vocab + v];
                }
            }
            Logits.assertClose("exported " + type + " GGUF loaded back", Decoding.full(back, ids), 0, rows,
                    type.equals("f32") ? 1e-5 : type.equals("f16") ? 2e-2 : 5e-2);
        }
        if (type.equals("f32")) {
            try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults())) {
                GgufListing.assertLlamaCppLogits(fixture, Decoding.full(model, ids), model.vocabSize(), 1e-3);
            }
        }
    }

    /**
     * bf16 and q4_0, for which there is no converter fixture (the converter writes no Q4_0): the
     * types are the documented ones (vectors F32; every matrix, the embedding included, in the export
     * type, except a q4_0 file's head, {@code output.weight}, in Q8_0), the Q4_0 blocks are
     * {@link BlockType#quantize}'s of the model's weights, byte for byte, and our loader takes the
     * file back with logits near the model's and nearly its perplexity on the validation tokens
     * ({@code TOL_*}, {@code PPL_*}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"bf16", "q4_0"})
    void ggufInBf16AndQ4_0HasTheDocumentedTypesAndLoadsBack(String type) throws IOException {
        Path out = temp.resolve("m.gguf");
        ModelExport.export(NeoxFixtures.SHAKESPEARE, out,
                ExportOptions.of(ExportFormat.GGUF).withType(ExportType.parse(type)), List.of(new NeoxLoader()));
        GgmlType matrices = type.equals("bf16") ? GgmlType.BF16 : GgmlType.Q4_0;
        try (GgufCheckpoint g = GgufReader.open(out)) {
            assertThat(g.tensorNames()).hasSize(52).contains("token_embd.weight", "output.weight");
            for (String name : g.tensorNames()) {
                GgmlType expected = g.info(name).shape().rank() == 1 ? GgmlType.F32
                        : name.equals("output.weight") && matrices == GgmlType.Q4_0 ? GgmlType.Q8_0 : matrices;
                assertThat(g.ggmlType(name)).as(name).isEqualTo(expected);
            }
            if (matrices == GgmlType.Q4_0) {
                try (Checkpoint source = Checkpoints.open(NeoxFixtures.SHAKESPEARE.resolve("model.safetensors"))) {
                    for (String[] pair : new String[][] {{"gpt_neox.embed_in.weight", "token_embd.weight"},
                        {"gpt_neox.layers.0.mlp.dense_h_to_4h.weight", "blk.0.ffn_up.weight"}}) {
                        float[] weights = source.tensor(pair[0]).toFloatArray();
                        MemorySegment reference = Arena.ofAuto().allocate(BlockType.Q4_0.bytesFor(weights.length));
                        BlockType.Q4_0.quantize(weights, 0, weights.length, reference, 0);
                        assertThat(g.quantized(pair[1]).data().mismatch(reference)).as(pair[1] + " vs BlockType.Q4_0 of "
                                + pair[0]).isEqualTo(-1L);
                    }
                }
            }
        }
        int[] ids = Fixtures.ints(Fixtures.json(EXPORT.resolve("gguf-neox-shakespeare-f32.json"),
                "tools/make_gguf_export_fixtures.py").get("ids"));
        try (NeoxModel original = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults());
                NeoxModel back = new NeoxLoader().load(out, LoadOptions.defaults())) {
            Logits.assertClose("exported " + type + " GGUF loaded back", Decoding.full(back, ids), 0,
                    Logits.rows(Decoding.full(original, ids), ids.length, original.vocabSize()),
                    type.equals("bf16") ? TOL_BF16 : TOL_Q4_0);
            double change = Decoding.perplexityChange(original, back, NeoxFixtures.SHAKESPEARE.resolve("score.json"),
                    "tools/train_neox_shakespeare.py");
            System.out.printf("%s GGUF, 2000 validation tokens: perplexity %+.3f%% of the model's%n", type, 100 * change);
            assertThat(Math.abs(change)).as(type + " relative perplexity change").isLessThan(type.equals("bf16")
                    ? PPL_BF16 : PPL_Q4_0);
        }
    }

    /**
     * A model without attention biases ({@code attention_bias: false}; the demo model with them
     * removed): llama.cpp's gptneox loader requires {@code attn_qkv.bias} and {@code attn_output.bias},
     * so the GGUF holds zeros of their shapes in F32, each right after its weight, and loads back with
     * the model's logits (f32: within 1e-5, as the f32 export of the demo model).
     */
    @Test
    void ggufOfAModelWithoutAttentionBiasesHasZeroBiases() throws IOException {
        Path source = temp.resolve("neox-nobias");
        Files.createDirectories(source);
        Files.copy(NeoxFixtures.SHAKESPEARE.resolve("tokenizer.json"), source.resolve("tokenizer.json"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(NeoxFixtures.SHAKESPEARE.resolve("config.json").toFile());
        config.put("attention_bias", false);
        json.writeValue(source.resolve("config.json").toFile(), config);
        try (Checkpoint c = Checkpoints.open(NeoxFixtures.SHAKESPEARE.resolve("model.safetensors"))) {
            SafetensorsWriter.write(c, source.resolve("model.safetensors"),
                    n -> n.endsWith(".attention.query_key_value.bias") || n.endsWith(".attention.dense.bias") ? null : n,
                    Map.of());
        }
        Path out = temp.resolve("nobias.gguf");
        ModelExport.export(source, out, ExportOptions.of(ExportFormat.GGUF).withType(ExportType.F32),
                List.of(new NeoxLoader()));
        try (GgufCheckpoint g = GgufReader.open(out)) {
            List<String> names = g.tensorNames();
            assertThat(names).hasSize(52);
            for (int l = 0; l < 4; l++) {
                for (String part : List.of("attn_qkv", "attn_output")) {
                    String bias = "blk." + l + "." + part + ".bias";
                    assertThat(names.indexOf(bias)).as(bias + " after its weight")
                            .isEqualTo(names.indexOf("blk." + l + "." + part + ".weight") + 1);
                    assertThat(g.ggmlType(bias)).isEqualTo(GgmlType.F32);
                    assertThat(g.info(bias).shape()).isEqualTo(Shape.of(part.equals("attn_qkv") ? 3 * 128 : 128));
                    assertThat(g.tensor(bias).toFloatArray()).as(bias).containsOnly(0f);
                }
            }
        }
        int[] ids = Fixtures.ints(Fixtures.json(EXPORT.resolve("gguf-neox-shakespeare-f32.json"),
                "tools/make_gguf_export_fixtures.py").get("ids"));
        try (NeoxModel original = new NeoxLoader().load(source, LoadOptions.defaults());
                NeoxModel back = new NeoxLoader().load(out, LoadOptions.defaults())) {
            float[] reference = Decoding.full(original, ids);
            try (NeoxModel withBiases = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults())) {
                assertThat(Decoding.full(withBiases, ids)).as("the biases removed change the model").isNotEqualTo(reference);
            }
            Logits.assertClose("GGUF of the model without attention biases", Decoding.full(back, ids), 0,
                    Logits.rows(reference, ids.length, original.vocabSize()), 1e-5);
        }
    }
}
