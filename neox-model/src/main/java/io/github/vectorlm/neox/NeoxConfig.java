package io.github.vectorlm.neox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.ReaderLimits;
import io.github.vectorlm.decoder.ConfigReader;
import io.github.vectorlm.decoder.DecoderShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The shape of a GPT-NeoX model, validated when made. Read it from a Hugging Face
 * {@code config.json} ({@link #fromHuggingFace}) or from a GPT-NeoX training YAML
 * ({@link #fromNeoxYaml}); a setting the model cannot honour is refused, naming it.
 *
 * <pre>{@code
 * NeoxConfig c = NeoxConfig.fromHuggingFace(Path.of("pythia-160m/config.json"));
 * c.rotaryDims();   // 16: a quarter of each 64-wide head is rotated
 * }</pre>
 *
 * @param vocabSize rows of the embedding and of the head (Pythia: 50304, the 20B: 50432)
 * @param hiddenSize the residual stream's width
 * @param layers transformer layers
 * @param heads attention heads; {@code hiddenSize} must be a multiple
 * @param intermediateSize the MLP's inner width (4 × hidden in every released model)
 * @param maxPositions the most positions a sequence may hold (the rotary table's length)
 * @param rotaryPct the fraction of each head's dimensions that is rotated (Pythia and the 20B: 0.25)
 * @param rotaryBase the rotary base θ (10000 unless a config says otherwise)
 * @param parallelResidual {@code x + attn(ln1(x)) + mlp(ln2(x))} when true (Pythia, the 20B),
 *     else {@code h = x + attn(ln1(x)); h + mlp(ln2(h))}
 * @param activation the MLP's GELU form
 * @param layerNormEps LayerNorm's ε
 * @param tiedEmbeddings whether the head reuses the input embedding
 * @param attentionBias whether query_key_value and attention.dense have biases
 */
public record NeoxConfig(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize, int maxPositions,
        double rotaryPct, double rotaryBase, boolean parallelResidual, Activation activation, float layerNormEps,
        boolean tiedEmbeddings, boolean attentionBias) {
    /**
     * Reads NeoX YAML under the config bounds ({@link ConfigReader#readConstraints()}, which the
     * YAML parser applies too); SnakeYAML's own limits are set to match. Aliases are not expanded
     * (Jackson reads {@code *name} as the string {@code name}), so an alias bomb is just text.
     */
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .loaderOptions(yamlLoaderOptions())
            .streamReadConstraints(ConfigReader.readConstraints())
            .build());


    /** The MLP's activation. */
    public enum Activation {
        /** exact GELU, {@code x·Φ(x)}: Hugging Face {@code gelu}, PyTorch's {@code F.gelu}. */
        GELU_ERF,
        /**
         * GELU's tanh form: Hugging Face {@code gelu_new}, {@code gelu_fast}, {@code gelu_pytorch_tanh};
         * GPT-NeoX's fused {@code bias_gelu} (so the 20B, trained with {@code bias-gelu-fusion}).
         */
        GELU_TANH
    }

    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException naming the first inconsistent value
     */
    public NeoxConfig {
        if (vocabSize < 1 || hiddenSize < 1 || layers < 1 || heads < 1 || intermediateSize < 1 || maxPositions < 1) {
            throw new IllegalArgumentException("GPT-NeoX sizes must be positive: vocab " + vocabSize + ", hidden "
                    + hiddenSize + ", layers " + layers + ", heads " + heads + ", intermediate " + intermediateSize
                    + ", positions " + maxPositions);
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + heads + " heads");
        }
        if (!(rotaryPct >= 0 && rotaryPct <= 1)) {
            throw new IllegalArgumentException("rotary fraction " + rotaryPct + " is outside [0, 1]");
        }
        if (!(rotaryBase > 0) || Double.isInfinite(rotaryBase)) {
            throw new IllegalArgumentException("rotary base " + rotaryBase + " must be positive");
        }
        int rotary = (int) (hiddenSize / heads * rotaryPct);
        if (rotary % 2 != 0) {
            throw new IllegalArgumentException("rotary dimensions int(" + hiddenSize / heads + " × " + rotaryPct + ") = "
                    + rotary + " must be even");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer norm epsilon " + layerNormEps + " must be positive");
        }
        // the activation workspace is indexed by int: one position of every buffer must fit easily
        Math.multiplyExact(Math.multiplyExact(maxPositions, hiddenSize), 3);
        Objects.requireNonNull(activation, "activation");
    }

    /**
     * Dimensions per head.
     *
     * @return {@code hiddenSize / heads}
     */
    public int headDim() {
        return hiddenSize / heads;
    }

    /**
     * Rotated dimensions per head, truncated as NeoX and Hugging Face do.
     *
     * @return {@code int(headDim × rotaryPct)}
     */
    public int rotaryDims() {
        return (int) (headDim() * rotaryPct);
    }

    /**
     * The sizes the decoder core works with.
     *
     * @return vocab, positions, hidden, layers, heads and the MLP width
     */
    public DecoderShape shape() {
        return new DecoderShape(vocabSize, maxPositions, hiddenSize, layers, heads, intermediateSize);
    }

    /**
     * The same config for another vocabulary size.
     *
     * @param vocab the vocabulary size
     * @return the config
     */
    public NeoxConfig withVocabSize(int vocab) {
        return new NeoxConfig(vocab, hiddenSize, layers, heads, intermediateSize, maxPositions, rotaryPct, rotaryBase,
                parallelResidual, activation, layerNormEps, tiedEmbeddings, attentionBias);
    }

    /**
     * A one-line summary for messages.
     *
     * @return e.g. {@code hidden 768, 12 layers, 12 heads, ...}
     */
    public String summary() {
        return "hidden " + hiddenSize + ", " + layers + " layers, " + heads + " heads, intermediate " + intermediateSize
                + ", vocab " + vocabSize + ", context " + maxPositions + ", rotary " + rotaryDims() + "/" + headDim()
                + " base " + rotaryBase + ", " + (parallelResidual ? "parallel" : "sequential") + " residual, "
                + (activation == Activation.GELU_ERF ? "exact GELU" : "tanh GELU") + (tiedEmbeddings ? ", tied head" : "") + (attentionBias ? "" : ", no attention bias");
    }

    /**
     * This config as a Hugging Face {@code config.json} for {@code GPTNeoXForCausalLM}, in the
     * transformers 4.x spelling the Pythia files use ({@code rotary_pct}, {@code rotary_emb_base}),
     * which {@link #fromHuggingFace} reads back to an equal config.
     *
     * @return the JSON text
     */
    public String toHuggingFaceJson() {
        com.fasterxml.jackson.databind.node.ObjectNode n = new ObjectMapper().createObjectNode();
        n.putArray("architectures").add("GPTNeoXForCausalLM");
        n.put("model_type", "gpt_neox");
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", layers);
        n.put("num_attention_heads", heads);
        n.put("intermediate_size", intermediateSize);
        n.put("max_position_embeddings", maxPositions);
        n.put("rotary_pct", rotaryPct);
        n.put("rotary_emb_base", rotaryBase);
        n.put("use_parallel_residual", parallelResidual);
        n.put("hidden_act", activation == Activation.GELU_ERF ? "gelu" : "gelu_fast");
        n.put("layer_norm_eps", layerNormEps);
        n.put("tie_word_embeddings", tiedEmbeddings);
        n.put("attention_bias", attentionBias);
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Hugging Face config.json

    /**
     * Reads a Hugging Face {@code config.json} of {@code model_type} {@code gpt_neox}, in the
     * spelling of transformers 4.x and the Pythia hub files ({@code rotary_pct},
     * {@code rotary_emb_base}), of transformers 5 ({@code rope_parameters} with
     * {@code partial_rotary_factor} and {@code rope_theta}), or with top-level
     * {@code partial_rotary_factor} / {@code rope_theta}. Missing optional settings take
     * transformers' defaults (rotary 0.25, base 10000, parallel residual, {@code gelu}, ε 1e-5,
     * untied head, attention biases, 2048 positions).
     *
     * @param configJson the {@code config.json} file
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the file and the setting if a value is missing, malformed or
     *     not supported (rope scaling, an activation other than the GELUs, another model type)
     */
    public static NeoxConfig fromHuggingFace(Path configJson) throws IOException {
        return fromHuggingFace(ConfigReader.of(configJson, ConfigReader.readJson(configJson)));
    }

    static NeoxConfig fromHuggingFace(ConfigReader s) throws CheckpointException {
        String type = s.stringOr("model_type", null);
        if (type == null) {
            throw s.missing("model_type");
        }
        if (!type.equals("gpt_neox")) {
            throw s.unsupported("model_type", "this reads GPT-NeoX configs (model_type gpt_neox)");
        }
        double rotaryPct = 0.25;
        double base = 10000;
        if (s.has("rope_scaling")) {
            throw s.unsupported("rope_scaling", "only unscaled rotary embeddings are implemented");
        }
        if (s.has("rope_parameters")) {
            JsonNode rope = s.node("rope_parameters");
            if (!rope.isObject()) {
                throw s.bad("rope_parameters", "a mapping");
            }
            ConfigReader r = ConfigReader.of(s.file(), rope);
            String ropeType = r.stringOr("rope_type", r.stringOr("type", "default"));
            if (!ropeType.equals("default")) {
                throw s.unsupported("rope_parameters", "rope_type '" + ropeType
                        + "' (only 'default', unscaled rotary embeddings, is implemented)");
            }
            rotaryPct = r.doubleOr("partial_rotary_factor", s.doubleOr("partial_rotary_factor", rotaryPct));
            base = r.doubleOr("rope_theta", s.doubleOr("rope_theta", base));
        } else {
            rotaryPct = s.doubleOr("rotary_pct", s.doubleOr("partial_rotary_factor", rotaryPct));
            base = s.doubleOr("rotary_emb_base", s.doubleOr("rope_theta", base));
        }
        String act = s.stringOr("hidden_act", "gelu");
        Activation activation = switch (act) {
            case "gelu" -> Activation.GELU_ERF;
            case "gelu_new", "gelu_fast", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            default -> throw s.unsupported("hidden_act",
                    "expected gelu (exact) or gelu_new, gelu_fast, gelu_pytorch_tanh (tanh form)");
        };
        try {
            return new NeoxConfig(
                    s.requiredInt("vocab_size"),
                    s.requiredInt("hidden_size"),
                    s.requiredInt("num_hidden_layers"),
                    s.requiredInt("num_attention_heads"),
                    s.requiredInt("intermediate_size"),
                    s.intOr("max_position_embeddings", 2048),
                    rotaryPct,
                    base,
                    s.boolOr("use_parallel_residual", true),
                    activation,
                    (float) s.doubleOr("layer_norm_eps", 1e-5),
                    s.boolOr("tie_word_embeddings", false),
                    s.boolOr("attention_bias", true));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CorruptCheckpointException(s.file(), null, "inconsistent GPT-NeoX config: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // GPT-NeoX YAML

    /**
     * Reads a GPT-NeoX training config ({@code configs/20B.yml} style: a JSON-like YAML mapping
     * with comments, keys spelled with dashes or underscores, Python-style {@code True}/
     * {@code False}). The vocabulary size is not in the file (NeoX pads the tokenizer's at run
     * time), so the caller passes it, read from the embedding's shape.
     *
     * <p>Settings read, with NeoX's defaults: {@code num-layers}, {@code hidden-size},
     * {@code num-attention-heads} (required); {@code max-position-embeddings} (else
     * {@code seq-length}); {@code intermediate-size} (4 × hidden); {@code norm} (layernorm);
     * {@code pos-emb} (NeoX's default is "learned", so it must say rotary); {@code rotary_pct} (1.0);
     * {@code rotary_emb_base} (10000); {@code gpt_j_residual} (false); {@code activation} (gelu),
     * with {@code bias-gelu-fusion} selecting NeoX's fused tanh-form GELU and {@code onnx_safe} the
     * exact one; {@code layernorm-epsilon} (1e-5); {@code no-weight-tying} (false: head tied);
     * {@code use_bias_in_attn_linear} (true). Settings that change the architecture beyond these
     * ({@code gpt_j_tied}, {@code num_kv_heads}, {@code mlp_type}, non-global {@code attention_config},
     * bias-free norms or MLP, {@code use_qk_layernorm}) are refused, naming them; everything else
     * (optimizer, parallelism, data) is ignored.
     *
     * @param yaml the YAML file
     * @param vocabSize the embedding's rows
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the file and the setting
     */
    public static NeoxConfig fromNeoxYaml(Path yaml, int vocabSize) throws IOException {
        JsonNode root;
        ConfigReader.checkFileSize(yaml);
        try {
            root = YAML.readTree(yaml.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CorruptCheckpointException(yaml, null, "is not valid YAML: " + e.getOriginalMessage(), e);
        }
        return fromNeoxYaml(ConfigReader.ofDashedKeys(yaml, root), vocabSize);
    }

    static NeoxConfig fromNeoxYaml(ConfigReader s, int vocabSize) throws CheckpointException {
        requireSetting(s, "norm", "layernorm", "layernorm", "only LayerNorm is implemented");
        if (!s.has("pos_emb")) {
            throw new CorruptCheckpointException(s.file(), null, "setting 'pos-emb' is missing: GPT-NeoX's default "
                    + "is 'learned' and only 'rotary' is implemented; add \"pos-emb\": \"rotary\" if the model uses it");
        }
        requireSetting(s, "pos_emb", null, "rotary", "only rotary position embeddings are implemented");
        requireSetting(s, "activation", "gelu", "gelu", "only GELU is implemented");
        s.refuseUnless("gpt_j_tied", false, "a single LayerNorm shared by attention and MLP");
        s.refuseUnless("use_qk_layernorm", false, "query/key LayerNorm");
        s.refuseUnless("use_bias_in_norms", true, "LayerNorm without bias");
        s.refuseUnless("use_bias_in_mlp", true, "an MLP without biases");
        requireSetting(s, "mlp_type", "regular", "regular", "only the regular (dense_h_to_4h → GELU → dense_4h_to_h) MLP "
                + "is implemented");
        int heads = s.requiredInt("num_attention_heads");
        if (s.has("num_kv_heads") && s.requiredInt("num_kv_heads") != heads) {
            throw s.unsupported("num_kv_heads", "grouped-query attention is not implemented");
        }
        checkAttentionConfig(s);
        boolean fused = s.boolOr("bias_gelu_fusion", false);
        boolean onnxSafe = s.boolOr("onnx_safe", false);
        if (fused && onnxSafe) {
            throw s.unsupported("bias_gelu_fusion", "GPT-NeoX itself refuses onnx_safe together with bias-gelu-fusion");
        }
        int hidden = s.requiredInt("hidden_size");
        int positions = s.has("max_position_embeddings") ? s.requiredInt("max_position_embeddings")
                : s.has("seq_length") ? s.requiredInt("seq_length") : -1;
        if (positions < 0) {
            throw new CorruptCheckpointException(s.file(), null,
                    "neither 'max-position-embeddings' nor 'seq-length' is set");
        }
        try {
            return new NeoxConfig(
                    vocabSize,
                    hidden,
                    s.requiredInt("num_layers"),
                    heads,
                    s.intOr("intermediate_size", Math.multiplyExact(4, hidden)),
                    positions,
                    s.doubleOr("rotary_pct", 1.0),
                    s.doubleOr("rotary_emb_base", 10000),
                    s.boolOr("gpt_j_residual", false),
                    // NeoX's fused bias_gelu kernel is the tanh form; F.gelu (and onnx_safe's erf form) exact
                    fused ? Activation.GELU_TANH : Activation.GELU_ERF,
                    (float) s.doubleOr("layernorm_epsilon", 1e-5),
                    !s.boolOr("no_weight_tying", false),
                    s.boolOr("use_bias_in_attn_linear", true));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CorruptCheckpointException(s.file(), null, "inconsistent GPT-NeoX config: " + e.getMessage(), e);
        }
    }

    private static void requireSetting(ConfigReader s, String key, String fallback, String wanted, String why)
            throws CheckpointException {
        String v = s.stringOr(key, fallback);
        if (v != null && !v.toLowerCase(Locale.ROOT).equals(wanted)) {
            throw s.unsupported(key, why);
        }
    }

    /** {@code attention_config} is a list of [[types...], repeat]; only global (dense) attention is implemented. */
    private static void checkAttentionConfig(ConfigReader s) throws CheckpointException {
        JsonNode config = s.node("attention_config");
        if (config == null) {
            return;
        }
        List<String> types = new ArrayList<>();
        collectStrings(config, types);
        for (String t : types) {
            if (!t.equals("global") && !t.equals("flash")) {
                throw s.unsupported("attention_config", "attention type '" + t
                        + "' (only global attention is implemented)");
            }
        }
    }

    private static void collectStrings(JsonNode n, List<String> out) {
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                collectStrings(it.next(), out);
            }
        }
    }

    private static LoaderOptions yamlLoaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setNestingDepthLimit(ReaderLimits.MAX_JSON_NESTING_DEPTH);
        options.setCodePointLimit((int) ReaderLimits.MAX_CONFIG_FILE_BYTES);
        options.setMaxAliasesForCollections(ReaderLimits.MAX_JSON_NESTING_DEPTH);
        return options;
    }
}
