package io.github.vectorlm.decoder;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's names for GPT-2 and GPT-NeoX in GGUF files, as its {@code convert_hf_to_gguf.py}
 * (commit c392e50) and {@code gguf-py} write them: the architecture names, the metadata keys, and
 * the tensor names by Hugging Face name, with what the converter does to each tensor on the way.
 * The one place that knows these names, for writers and readers alike.
 */
public final class GgufNames {
    private GgufNames() {
    }

    /** {@code general.architecture}. */
    public static final String ARCHITECTURE = "general.architecture";
    /** {@code general.type}: "model". */
    public static final String TYPE = "general.type";
    /** {@code general.name}. */
    public static final String NAME = "general.name";
    /** {@code general.size_label}: the parameter count, as gguf-py writes it ("124M"). */
    public static final String SIZE_LABEL = "general.size_label";
    /** {@code general.file_type}: llama.cpp's {@code llama_ftype}. */
    public static final String FILE_TYPE = "general.file_type";
    /** {@code general.quantization_version}: ggml's {@code GGML_QNT_VERSION}, 2. */
    public static final String QUANTIZATION_VERSION = "general.quantization_version";
    /** {@code tokenizer.ggml.model}: "gpt2" for byte-level BPE. */
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    /** {@code tokenizer.ggml.pre}: the pre-tokenizer's name ("gpt-2", "olmo"). */
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    /** {@code tokenizer.ggml.tokens}: every token's text, by id. */
    public static final String TOKENIZER_TOKENS = "tokenizer.ggml.tokens";
    /** {@code tokenizer.ggml.token_type}: {@code gguf.TokenType} by id. */
    public static final String TOKENIZER_TOKEN_TYPE = "tokenizer.ggml.token_type";
    /** {@code tokenizer.ggml.merges}: "left right" by rank. */
    public static final String TOKENIZER_MERGES = "tokenizer.ggml.merges";
    /** {@code tokenizer.ggml.bos_token_id}. */
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    /** {@code tokenizer.ggml.eos_token_id}. */
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";

    /** Per-architecture keys, after the architecture's name and a dot. */
    public static final String CONTEXT_LENGTH = "context_length";
    /** {@code ARCH.embedding_length}. */
    public static final String EMBEDDING_LENGTH = "embedding_length";
    /** {@code ARCH.block_count}. */
    public static final String BLOCK_COUNT = "block_count";
    /** {@code ARCH.feed_forward_length}. */
    public static final String FEED_FORWARD_LENGTH = "feed_forward_length";
    /** {@code ARCH.attention.head_count}. */
    public static final String HEAD_COUNT = "attention.head_count";
    /** {@code ARCH.attention.layer_norm_epsilon}. */
    public static final String LAYER_NORM_EPSILON = "attention.layer_norm_epsilon";
    /** {@code ARCH.rope.dimension_count}: rotated dimensions per head. */
    public static final String ROPE_DIMENSION_COUNT = "rope.dimension_count";
    /** {@code ARCH.rope.freq_base}: θ (the converter does not write it for gptneox; llama.cpp then takes 10000). */
    public static final String ROPE_FREQ_BASE = "rope.freq_base";
    /** {@code ARCH.use_parallel_residual}. */
    public static final String PARALLEL_RESIDUAL = "use_parallel_residual";

    /** The token embedding. */
    public static final String TOKEN_EMBD = "token_embd.weight";
    /** GPT-2's position embedding (always F32). */
    public static final String POSITION_EMBD = "position_embd.weight";
    /** The LM head (for GPT-2 a copy of the token embedding). */
    public static final String OUTPUT = "output.weight";

    /** What the converter does to a tensor besides renaming it. */
    public enum Transform {
        /** Nothing. */
        NONE,
        /** GPT-2's Conv1D weights [in, out] transposed to [out, in]. */
        TRANSPOSE,
        /**
         * GPT-NeoX's fused QKV rows reordered from [n_heads, 3, head_dim] (per head: q, k, v) to
         * [3, n_heads, head_dim] (all q, then all k, then all v), weight and bias alike.
         */
        QKV_BY_PART
    }

    /**
     * A Hugging Face tensor's GGUF name and transform.
     *
     * @param name the GGUF tensor name
     * @param transform what is done to the values
     */
    public record Mapped(String name, Transform transform) {
    }

    private record Rule(Pattern hf, String gguf, Transform weight) {
        Rule(String hf, String gguf, Transform weight) {
            this(Pattern.compile(hf.replace(".", "\\.").replace("{N}", "([0-9]+)") + "\\.(weight|bias)"), gguf, weight);
        }
    }

    private static final Map<String, String> ARCHITECTURES = Map.of("gpt2", "gpt2", "gpt_neox", "gptneox");

    private static final Map<String, List<Rule>> RULES = Map.of(
            "gpt2", List.of(
                    new Rule("(?:transformer.)?wte", "token_embd", Transform.NONE),
                    new Rule("(?:transformer.)?wpe", "position_embd", Transform.NONE),
                    new Rule("(?:transformer.)?h.{N}.ln_1", "blk.{N}.attn_norm", Transform.NONE),
                    new Rule("(?:transformer.)?h.{N}.attn.c_attn", "blk.{N}.attn_qkv", Transform.TRANSPOSE),
                    new Rule("(?:transformer.)?h.{N}.attn.c_proj", "blk.{N}.attn_output", Transform.TRANSPOSE),
                    new Rule("(?:transformer.)?h.{N}.ln_2", "blk.{N}.ffn_norm", Transform.NONE),
                    new Rule("(?:transformer.)?h.{N}.mlp.c_fc", "blk.{N}.ffn_up", Transform.TRANSPOSE),
                    new Rule("(?:transformer.)?h.{N}.mlp.c_proj", "blk.{N}.ffn_down", Transform.TRANSPOSE),
                    new Rule("(?:transformer.)?ln_f", "output_norm", Transform.NONE)),
            "gpt_neox", List.of(
                    new Rule("gpt_neox.embed_in", "token_embd", Transform.NONE),
                    new Rule("gpt_neox.layers.{N}.input_layernorm", "blk.{N}.attn_norm", Transform.NONE),
                    new Rule("gpt_neox.layers.{N}.attention.query_key_value", "blk.{N}.attn_qkv", Transform.QKV_BY_PART),
                    new Rule("gpt_neox.layers.{N}.attention.dense", "blk.{N}.attn_output", Transform.NONE),
                    new Rule("gpt_neox.layers.{N}.post_attention_layernorm", "blk.{N}.ffn_norm", Transform.NONE),
                    new Rule("gpt_neox.layers.{N}.mlp.dense_h_to_4h", "blk.{N}.ffn_up", Transform.NONE),
                    new Rule("gpt_neox.layers.{N}.mlp.dense_4h_to_h", "blk.{N}.ffn_down", Transform.NONE),
                    new Rule("gpt_neox.final_layer_norm", "output_norm", Transform.NONE),
                    new Rule("(?:embed_out|lm_head)", "output", Transform.NONE)));

    /**
     * llama.cpp's architecture name for a Hugging Face {@code model_type}.
     *
     * @param modelType {@code gpt2} or {@code gpt_neox}
     * @return {@code gpt2} or {@code gptneox}
     * @throws IllegalArgumentException for another model type
     */
    public static String architecture(String modelType) {
        String arch = ARCHITECTURES.get(modelType);
        if (arch == null) {
            throw new IllegalArgumentException("no GGUF architecture for model_type '" + modelType + "'");
        }
        return arch;
    }

    /**
     * The GGUF name of a Hugging Face tensor, and its transform (biases of a transposed weight are
     * not transposed; a QKV bias is reordered like its weight).
     *
     * @param modelType {@code gpt2} or {@code gpt_neox}
     * @param hfName e.g. {@code transformer.h.3.mlp.c_fc.weight}
     * @return e.g. {@code blk.3.ffn_up.weight}, TRANSPOSE
     * @throws IllegalArgumentException if the name is none of the architecture's tensors
     */
    public static Mapped map(String modelType, String hfName) {
        List<Rule> rules = RULES.get(modelType);
        if (rules == null) {
            throw new IllegalArgumentException("no GGUF architecture for model_type '" + modelType + "'");
        }
        for (Rule r : rules) {
            Matcher m = r.hf().matcher(hfName);
            if (m.matches()) {
                boolean bias = m.group(m.groupCount()).equals("bias");
                String name = (m.groupCount() == 2 ? r.gguf().replace("{N}", m.group(1)) : r.gguf()) + "."
                        + m.group(m.groupCount());
                Transform t = bias && r.weight() == Transform.TRANSPOSE ? Transform.NONE : r.weight();
                return new Mapped(name, t);
            }
        }
        throw new IllegalArgumentException("'" + hfName + "' is no " + modelType + " tensor llama.cpp names");
    }
}
