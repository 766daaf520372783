package io.github.vectorlm.neox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.decoder.ExportSource;
import io.github.vectorlm.decoder.ExportTensor;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.neox.NeoxWeightLayout.Parameter;
import io.github.vectorlm.neox.NeoxWeightLayout.Stage;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GPT-NeoX model seen as Hugging Face's {@code GPTNeoXForCausalLM}: its {@code config.json}
 * (the {@code rotary_pct} / {@code rotary_emb_base} keys that transformers 4, transformers 5 and
 * llama.cpp's converter all read) and its state dict, the head {@code embed_out.weight} left out
 * when tied. From a Hugging Face folder the tensors are views of the mapped files. From NeoX slim
 * weights they are merged one pipeline layer at a time, when the writer first asks for one of the
 * layer's tensors, into an arena that is freed when the next layer is merged: what GPT-NeoX's
 * {@code convert_to_hf.py} does, holding one layer instead of the whole model.
 */
final class NeoxExport implements ExportSource {
    /** A layer's parameters in {@code GPTNeoXForCausalLM}'s state-dict order. */
    private static final List<Parameter> LAYER_ORDER = List.of(Parameter.INPUT_NORM_WEIGHT, Parameter.INPUT_NORM_BIAS,
            Parameter.POST_NORM_WEIGHT, Parameter.POST_NORM_BIAS, Parameter.QKV_WEIGHT, Parameter.QKV_BIAS,
            Parameter.DENSE_WEIGHT, Parameter.DENSE_BIAS, Parameter.UP_WEIGHT, Parameter.UP_BIAS,
            Parameter.DOWN_WEIGHT, Parameter.DOWN_BIAS);

    /** Gives a parameter's tensor. */
    private interface Lookup {
        Tensor find(WeightKey<Parameter> key) throws IOException;
    }

    private final NeoxConfig config;
    private final String name;
    private final Path tokenizerFolder;
    private final JsonNode sourceConfig;
    private final AutoCloseable resources;
    private final List<ExportTensor> tensors = new ArrayList<>();
    private final DType stored;

    private NeoxExport(NeoxConfig config, String name, Path tokenizerFolder, JsonNode sourceConfig,
            AutoCloseable resources, Map<WeightKey<Parameter>, TensorInfo> infos, Lookup lookup) {
        this.config = config;
        this.name = name;
        this.tokenizerFolder = tokenizerFolder;
        this.sourceConfig = sourceConfig;
        this.resources = resources;
        this.stored = infos.get(WeightKey.of(Parameter.QKV_WEIGHT, 0)).dtype();
        List<WeightKey<Parameter>> order = new ArrayList<>();
        order.add(WeightKey.of(Parameter.EMBEDDING, -1));
        for (int l = 0; l < config.layers(); l++) {
            for (Parameter p : LAYER_ORDER) {
                order.add(WeightKey.of(p, l));
            }
        }
        order.add(WeightKey.of(Parameter.FINAL_NORM_WEIGHT, -1));
        order.add(WeightKey.of(Parameter.FINAL_NORM_BIAS, -1));
        if (!config.tiedEmbeddings()) {
            order.add(WeightKey.of(Parameter.HEAD, -1));
        }
        for (WeightKey<Parameter> key : order) {
            TensorInfo info = infos.get(key);
            if (info == null) {
                continue; // attention biases of a model without them (GgufExport gives llama.cpp zeros)
            }
            String hf = key.parameter() == Parameter.HEAD ? "embed_out.weight"
                    : NeoxWeightLayout.HUGGING_FACE.entry(key.parameter()).names("", key.layer()).get(0);
            tensors.add(new ExportTensor(hf, info.dtype(), info.shape(), () -> lookup.find(key)));
        }
    }

    /** A Hugging Face folder's tensors, as views of its files. */
    static NeoxExport huggingFace(Path folder, NeoxConfig config, Checkpoint checkpoint, JsonNode sourceConfig)
            throws IOException {
        StateDict state = StateDict.of(checkpoint);
        Map<WeightKey<Parameter>, String> names = NeoxWeights.checkHuggingFace(state, config);
        Map<WeightKey<Parameter>, TensorInfo> infos = new java.util.LinkedHashMap<>();
        names.forEach((k, n) -> infos.put(k, state.info(n)));
        var reader = io.github.vectorlm.decoder.WeightReader.of(NeoxWeightLayout.HUGGING_FACE, state, names);
        Path abs = folder.toAbsolutePath().normalize();
        return new NeoxExport(config, abs.getFileName() == null ? "gpt-neox" : abs.getFileName().toString(), folder,
                sourceConfig, checkpoint, infos, key -> reader.optional(key.parameter(), key.layer()));
    }

    /** Slim weights, merged a pipeline layer at a time when first asked for. */
    static NeoxExport slim(NeoxSlimMerger merger, NeoxConfig config) throws IOException {
        merger.checkAll(config);
        StageCache cache = new StageCache(merger, config);
        Map<WeightKey<Parameter>, TensorInfo> infos = new java.util.LinkedHashMap<>();
        DType dtype = cache.storedDType();
        for (NeoxWeightLayout.SlimEntry e : NeoxWeightLayout.SLIM) {
            if (!e.parameter().expected(config)) {
                continue;
            }
            Shape shape = Shape.of(e.expectedShape(config.shape()));
            if (e.parameter().perLayer()) {
                for (int l = 0; l < config.layers(); l++) {
                    infos.put(WeightKey.of(e.parameter(), l), new TensorInfo(e.name(), dtype, shape));
                }
            } else {
                infos.put(WeightKey.of(e.parameter(), -1), new TensorInfo(e.name(), dtype, shape));
            }
        }
        Path root = merger.root().toAbsolutePath().normalize();
        return new NeoxExport(config, root.getFileName() == null ? "gpt-neox" : root.getFileName().toString(),
                merger.root(), null, cache, infos, cache::find);
    }

    /** The one merged pipeline layer held at a time. */
    private static final class StageCache implements AutoCloseable {
        private final NeoxSlimMerger merger;
        private final NeoxConfig config;
        private Arena arena;
        private Stage stage;
        private int layer = Integer.MIN_VALUE;
        private Map<WeightKey<Parameter>, Tensor> merged = Map.of();

        StageCache(NeoxSlimMerger merger, NeoxConfig config) {
            this.merger = merger;
            this.config = config;
        }

        DType storedDType() throws IOException {
            return find(WeightKey.of(Parameter.QKV_WEIGHT, 0)).dtype();
        }

        Tensor find(WeightKey<Parameter> key) throws IOException {
            Stage s = key.parameter().stage();
            int l = s == Stage.LAYER ? key.layer() : -1;
            if (s != stage || l != layer) {
                close();
                arena = Arena.ofShared();
                merged = merger.mergeStage(config, s, l, arena);
                stage = s;
                layer = l;
            }
            return merged.get(key);
        }

        @Override
        public void close() {
            if (arena != null) {
                arena.close();
                arena = null;
                stage = null;
                merged = Map.of();
            }
        }
    }

    @Override
    public String modelType() {
        return "gpt_neox";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path tokenizerFolder() {
        return tokenizerFolder;
    }

    @Override
    public DType storedDType() {
        return stored;
    }

    @Override
    public ObjectNode config(DType dtype, int endOfText) {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.putArray("architectures").add("GPTNeoXForCausalLM");
        c.put("model_type", "gpt_neox");
        c.put("vocab_size", config.vocabSize());
        c.put("hidden_size", config.hiddenSize());
        c.put("num_hidden_layers", config.layers());
        c.put("num_attention_heads", config.heads());
        c.put("intermediate_size", config.intermediateSize());
        c.put("max_position_embeddings", config.maxPositions());
        c.put("rotary_pct", config.rotaryPct());
        c.put("rotary_emb_base", config.rotaryBase());
        c.put("use_parallel_residual", config.parallelResidual());
        c.put("hidden_act", config.activation() == NeoxConfig.Activation.GELU_TANH ? "gelu_new" : "gelu");
        c.put("layer_norm_eps", Double.parseDouble(Float.toString(config.layerNormEps())));
        c.put("tie_word_embeddings", config.tiedEmbeddings());
        c.put("attention_bias", config.attentionBias());
        c.put("attention_dropout", 0.0);
        c.put("hidden_dropout", 0.0);
        for (String key : List.of("bos_token_id", "eos_token_id")) {
            JsonNode v = sourceConfig == null ? null : sourceConfig.get(key);
            if (v != null && v.isInt()) {
                c.put(key, v.asInt());
            } else if (endOfText >= 0 && endOfText < config.vocabSize()) {
                c.put(key, endOfText);
            } else {
                c.putNull(key);
            }
        }
        c.put("torch_dtype", switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(dtype.toString());
        });
        c.put("use_cache", true);
        return c;
    }

    @Override
    public List<ExportTensor> tensors() {
        return List.copyOf(tensors);
    }

    @Override
    public void close() throws IOException {
        try {
            resources.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
