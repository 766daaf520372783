package io.github.vectorlm.neox;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.Closeables;
import io.github.vectorlm.decoder.ConfigReader;
import io.github.vectorlm.decoder.DecoderLoader;
import io.github.vectorlm.decoder.ExportOptions;
import io.github.vectorlm.decoder.ExportSource;
import io.github.vectorlm.decoder.GgufModelFile;
import io.github.vectorlm.decoder.ModelPool;
import io.github.vectorlm.decoder.Projection;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.decoder.WeightQuantization;
import io.github.vectorlm.decoder.WeightReader;
import io.github.vectorlm.neox.NeoxWeightLayout.Parameter;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Int8Linear;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads GPT-NeoX from the two layouts its weights are shipped in:
 * <ul>
 *   <li>a Hugging Face folder ({@code GPTNeoXForCausalLM}, the Pythia suite, the 20B's hub copy):
 *       {@code config.json} with {@code model_type} gpt_neox and {@code model.safetensors} or
 *       {@code pytorch_model.bin}, sharded or not; weights used in place, as stored (f32, f16,
 *       bf16);
 *   <li>GPT-NeoX's own "slim weights" (the 20B download): the folder holding {@code latest},
 *       merged by {@link NeoxSlimMerger} (the one copy of weights VectorLM makes); its YAML config
 *       from {@link LoadOptions#config()} or found beside it;
 *   <li>a GGUF file of architecture {@code gptneox} as llama.cpp's converter writes it (F32, F16,
 *       BF16, Q8_0, Q4_0 and a Q6_K head read in place; the tokenizer from its metadata).
 * </ul>
 * The tokenizer is {@link LoadOptions#tokenizer()}, else the {@code tokenizer.json} or
 * {@code 20B_tokenizer.json} beside the weights (beside {@code latest} for slim weights), else none.
 * {@link LoadOptions#layers()} loads only some transformer layers (the model then runs those
 * alone: a smoke test, not a language model); {@link LoadOptions#int8()} and
 * {@link LoadOptions#quantize()} quantize the layers' matrices.
 *
 * <pre>{@code
 * try (NeoxModel model = new NeoxLoader().load(Path.of("pythia-160m"), LoadOptions.defaults())) {
 *     Session session = model.newSession();
 *     float[] logits = new float[model.vocabSize()];
 *     model.forward(session, new int[] {12092, 13}, 0, 2, logits);
 * }
 * }</pre>
 */
public final class NeoxLoader extends DecoderLoader {
    /** A loader of {@value NeoxModel#ARCHITECTURE} models. */
    public NeoxLoader() {
        super(NeoxModel.ARCHITECTURE);
    }

    /**
     * Whether {@code path} is a Hugging Face folder (or a weights file in one) whose
     * {@code config.json} says {@code model_type} gpt_neox, or a NeoX slim-weights folder.
     */
    @Override
    public boolean canLoad(Path path) throws IOException {
        if (GgufModelFile.isGguf(path)) {
            return "gptneox".equals(GgufModelFile.architectureOf(path));
        }
        if (NeoxSlimMerger.isSlimFolder(path)) {
            return true;
        }
        Path config = huggingFaceConfig(path);
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            JsonNode root = ConfigReader.readJson(config);
            return root != null && "gpt_neox".equals(root.path("model_type").asText());
        } catch (CheckpointException e) {
            return false; // not a config this loader reads; whoever reads it reports why
        }
    }

    private static Path huggingFaceConfig(Path path) {
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        return folder == null ? path.resolve("config.json") : folder.resolve("config.json");
    }

    /**
     * Loads the model: config, weights (checked against the config all at once), and the tokenizer
     * beside them or named by {@link LoadOptions#tokenizer()} (none is fine: the model then takes ids).
     *
     * @throws UnsupportedCheckpointException if {@code path} is no GPT-NeoX layout, or a setting is
     *     not supported
     * @throws WeightMappingException listing every missing, unknown or misshaped tensor
     */
    @Override
    public NeoxModel load(Path path, LoadOptions options) throws IOException {
        if (GgufModelFile.isGguf(path)) {
            return NeoxGgufLoader.load(path, options);
        }
        if (NeoxSlimMerger.isSlimFolder(path)) {
            return loadSlim(path, options);
        }
        if (!canLoad(path)) {
            throw new UnsupportedCheckpointException(path, null, "not a GPT-NeoX model: expected a folder with a "
                    + "Hugging Face config.json (model_type gpt_neox) and weights, or a GPT-NeoX slim-weights folder "
                    + "holding 'latest'");
        }
        return loadHuggingFace(path, options);
    }

    private static NeoxModel loadHuggingFace(Path path, LoadOptions options) throws IOException {
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        NeoxConfig config = NeoxConfig.fromHuggingFace(
                options.config() != null ? options.config() : folder.resolve("config.json"));
        checkLayerFilter(config, options);
        Tokenizers.PendingTokenizer tokenizer = Tokenizers.forModelInBackground(folder, options);
        Checkpoint checkpoint = Checkpoints.open(path);
        try {
            options.progress().progress("mapping GPT-NeoX weights", 0, 1);
            NeoxWeights weights = NeoxWeights.mapHuggingFace(checkpoint, config, options.layers());
            options.progress().progress("mapping GPT-NeoX weights", 1, 1);
            return build(config, weights, options, tokenizer.get().orElse(null), checkpoint);
        } catch (IOException | RuntimeException | Error e) {
            checkpoint.close();
            throw e;
        }
    }

    private static NeoxModel loadSlim(Path path, LoadOptions options) throws IOException {
        NeoxSlimMerger merger = NeoxSlimMerger.open(path);
        NeoxConfig config = NeoxConfig.fromNeoxYaml(merger.findConfig(options.config()), merger.vocabSize());
        checkLayerFilter(config, options);
        Tokenizers.PendingTokenizer tokenizer = Tokenizers.forModelInBackground(merger.root(), options);
        Arena arena = Arena.ofShared();
        try {
            Map<WeightKey<Parameter>, Tensor> merged = merger.merge(config, options.layers(), options.progress(), arena);
            NeoxWeights weights = NeoxWeights.assemble(config, options.layers(),
                    new WeightReader<>(NeoxWeightLayout.HUGGING_FACE, merged::get));
            return build(config, weights, options, tokenizer.get().orElse(null), arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens the model for {@link io.github.vectorlm.decoder.ModelExport} as Hugging Face's
     * {@code GPTNeoXForCausalLM} ({@link NeoxExport}): a Hugging Face folder's tensors in place, slim
     * weights merged one pipeline layer at a time as they are written. The config comes from
     * {@link ExportOptions#config()} when given (a YAML for slim weights), as in {@link #load}.
     */
    @Override
    public ExportSource openExport(Path path, ExportOptions options) throws IOException {
        if (NeoxSlimMerger.isSlimFolder(path)) {
            NeoxSlimMerger merger = NeoxSlimMerger.open(path);
            NeoxConfig config = NeoxConfig.fromNeoxYaml(merger.findConfig(options.config()), merger.vocabSize());
            return NeoxExport.slim(merger, config);
        }
        if (!canLoad(path)) {
            throw new UnsupportedCheckpointException(path, null, "not a GPT-NeoX model");
        }
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path configFile = options.config() != null ? options.config() : folder.resolve("config.json");
        NeoxConfig config = NeoxConfig.fromHuggingFace(configFile);
        JsonNode sourceConfig = ConfigReader.readJson(configFile);
        Checkpoint checkpoint = Checkpoints.open(path);
        try {
            return NeoxExport.huggingFace(folder, config, checkpoint, sourceConfig);
        } catch (IOException | RuntimeException | Error e) {
            checkpoint.close();
            throw e;
        }
    }

    private static void checkLayerFilter(NeoxConfig config, LoadOptions options) throws UnsupportedCheckpointException {
        if (options.layers() == null) {
            return;
        }
        for (int l = 0; l < config.layers(); l++) {
            if (options.layers().test(l)) {
                return;
            }
        }
        throw new UnsupportedCheckpointException(null, null, "the layer filter accepts none of the model's "
                + config.layers() + " layers");
    }

    /**
     * The model over {@code weights}, its matrices as {@link WeightQuantization} makes them from
     * the options: as stored; LLM.int8() ({@link LoadOptions#int8()}: int8 weights with a scale per
     * output row, activations quantized per row at run time, input columns holding an outlier above
     * {@value Int8Linear#DEFAULT_THRESHOLD} computed in f32 against the original weights, which stay
     * mapped; an f32 head rounded to F16); or Q8_0/Q4_0 blocks ({@link LoadOptions#quantize()}, the
     * head in Q8_0). The embedding stays as stored; quantized copies live in an arena closed with
     * the model.
     */
    private static NeoxModel build(NeoxConfig config, NeoxWeights weights, LoadOptions options, Tokenizer tokenizer,
            AutoCloseable resources) {
        ModelPool pool = ModelPool.of(options);
        WeightQuantization quantization = null;
        try {
            quantization = WeightQuantization.of(options, "GPT-NeoX", 4 * weights.layers().size());
            return new NeoxModel(config, weights, pool.parallel(), tokenizer, quantization::layer,
                    quantization.head(weights.head()), WeightQuantization.describe(options),
                    Closeables.inOrder(resources, quantization, pool));
        } catch (RuntimeException | Error e) {
            Closeables.closeAfter(e, quantization, pool);
            throw e;
        }
    }
}
