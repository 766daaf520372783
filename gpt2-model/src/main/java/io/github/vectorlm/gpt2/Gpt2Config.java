package io.github.vectorlm.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.ConfigReader;
import io.github.vectorlm.decoder.DecoderShape;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shape and arithmetic of a GPT-2 model, read from whichever config its checkpoint came with:
 * OpenAI's {@code hparams.json}, a Hugging Face {@code config.json} ({@code model_type} gpt2), or
 * the {@code model_args} a nanoGPT {@code ckpt.pt} holds.
 *
 * <p>The sources differ in two things that change the numbers: OpenAI's GPT-2 and Hugging Face's
 * {@code gelu_new} use GELU's tanh approximation while nanoGPT uses exact erf GELU ({@code nn.GELU()});
 * nanoGPT's {@code bias=False} drops every LayerNorm and Linear bias.
 *
 * @param vocabSize rows of the token embedding and logits per position (nanoGPT often pads it, e.g. 50304)
 * @param contextLength rows of the position embedding: the most positions a sequence can have
 * @param embeddingSize width of the residual stream ({@code n_embd})
 * @param layers transformer blocks
 * @param heads attention heads; must divide {@code embeddingSize}
 * @param innerSize width of the MLP's hidden layer (4 × {@code embeddingSize} in every released GPT-2)
 * @param layerNormEpsilon the epsilon of every LayerNorm
 * @param activation the MLP's GELU form
 * @param bias whether LayerNorms and linear layers have biases (false only for nanoGPT's {@code bias=False})
 */
public record Gpt2Config(int vocabSize, int contextLength, int embeddingSize, int layers, int heads, int innerSize,
        float layerNormEpsilon, Activation activation, boolean bias) {

    /** The GELU form of the MLP. */
    public enum Activation {
        /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: OpenAI GPT-2, HF {@code gelu_new}. */
        GELU_TANH,
        /** {@code x·Φ(x)} with the exact erf: PyTorch's {@code nn.GELU()}, nanoGPT, HF {@code gelu}. */
        GELU_ERF
    }

    /** LayerNorm epsilon of OpenAI's GPT-2 code, HF's default and nanoGPT's hard-coded value. */
    public static final float DEFAULT_LAYER_NORM_EPSILON = 1e-5f;

    /**
     * Checks that every size is positive, the heads divide the embedding and the KV cache of one
     * layer ({@code contextLength × embeddingSize} floats) fits a Java array.
     *
     * @throws IllegalArgumentException naming the offending values
     */
    public Gpt2Config {
        if (vocabSize < 1 || contextLength < 1 || embeddingSize < 1 || layers < 1 || heads < 1 || innerSize < 1) {
            throw new IllegalArgumentException("GPT-2 sizes must be positive: " + sizes(vocabSize, contextLength,
                    embeddingSize, layers, heads, innerSize));
        }
        if (embeddingSize % heads != 0) {
            throw new IllegalArgumentException("n_embd " + embeddingSize + " is not a multiple of n_head " + heads);
        }
        if ((long) contextLength * embeddingSize > Integer.MAX_VALUE - 8
                || (long) contextLength * Math.max(3L * embeddingSize, innerSize) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("n_ctx " + contextLength + " × n_embd " + embeddingSize
                    + " (or n_inner " + innerSize + ") is too large for one layer's buffers");
        }
        if (!(layerNormEpsilon > 0) || Float.isInfinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be positive and finite, got " + layerNormEpsilon);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation is null");
        }
    }

    /**
     * Floats per attention head.
     *
     * @return {@code embeddingSize / heads}
     */
    public int headSize() {
        return embeddingSize / heads;
    }

    /**
     * The sizes the decoder core works with.
     *
     * @return vocab, context, n_embd, n_layer, n_head and the MLP width
     */
    public DecoderShape shape() {
        return new DecoderShape(vocabSize, contextLength, embeddingSize, layers, heads, innerSize);
    }

    /**
     * A one-line summary for messages.
     *
     * @return e.g. {@code n_layer 12, n_embd 768, vocab 50257, n_ctx 1024}
     */
    public String summary() {
        return "n_layer " + layers + ", n_embd " + embeddingSize + ", vocab " + vocabSize + ", n_ctx " + contextLength
                + (bias ? "" : ", bias=False");
    }

    /**
     * The config of OpenAI's {@code hparams.json}: {@code n_vocab}, {@code n_ctx}, {@code n_embd},
     * {@code n_head}, {@code n_layer}, all required. OpenAI's code fixes the rest: tanh GELU, LayerNorm
     * epsilon 1e-5, biases everywhere, MLP width 4·n_embd.
     *
     * @param file the {@code hparams.json}
     * @return the config
     * @throws CheckpointException naming the file and the missing or bad value
     * @throws IOException if the file cannot be read
     */
    public static Gpt2Config fromOpenAiHparams(Path file) throws IOException {
        ConfigReader f = ConfigReader.of(file, ConfigReader.readJson(file));
        int embd = f.requiredInt("n_embd");
        int vocab = f.requiredInt("n_vocab");
        int ctx = f.requiredInt("n_ctx");
        int layers = f.requiredInt("n_layer");
        int heads = f.requiredInt("n_head");
        return build(file, () -> new Gpt2Config(vocab, ctx, embd, layers, heads, 4 * embd, DEFAULT_LAYER_NORM_EPSILON,
                Activation.GELU_TANH, true));
    }

    /**
     * The config of a Hugging Face {@code config.json} with {@code model_type} gpt2. Missing keys take
     * {@code transformers.GPT2Config}'s defaults, noted beside each. Settings that would change the
     * arithmetic in a way this implementation does not follow are refused by name.
     *
     * @param file the {@code config.json}
     * @return the config
     * @throws IOException if the file cannot be read
     * @throws UnsupportedCheckpointException for an unsupported setting (named in the message)
     * @throws CheckpointException for a missing model_type or a bad value
     */
    public static Gpt2Config fromHuggingFaceConfig(Path file) throws IOException {
        ConfigReader f = ConfigReader.of(file, ConfigReader.readJson(file));
        String modelType = f.stringOr("model_type", null);
        if (!"gpt2".equals(modelType)) {
            throw new CheckpointException(file, null, "model_type is " + (modelType == null ? "missing" : "'"
                    + modelType + "'") + ", expected 'gpt2'");
        }
        // transformers' GPT2Config defaults; the attribute_map aliases (hidden_size, ...) are read when
        // the GPT-2 names are absent.
        int vocab = f.intOr("vocab_size", 50257);
        int positions = f.intOr("n_positions", f.intOr("max_position_embeddings", 1024));
        int embd = f.intOr("n_embd", f.intOr("hidden_size", 768));
        int layers = f.intOr("n_layer", f.intOr("num_hidden_layers", 12));
        int heads = f.intOr("n_head", f.intOr("num_attention_heads", 12));
        int inner = f.intOr("n_inner", 4 * embd); // null: 4·n_embd
        double eps = f.doubleOr("layer_norm_epsilon", 1e-5);
        String act = f.stringOr("activation_function", "gelu_new");
        Activation activation = switch (act) {
            // gelu_fast and gelu_accurate are the same tanh formula written differently
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate" -> Activation.GELU_TANH;
            case "gelu", "gelu_python" -> Activation.GELU_ERF;
            default -> throw new UnsupportedCheckpointException(file, null,
                    "activation_function '" + act + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, "
                            + "gelu_accurate, gelu or gelu_python)");
        };
        f.refuseUnless("scale_attn_weights", true, "attention without the 1/sqrt(head_dim) scale");
        f.refuseUnless("scale_attn_by_inverse_layer_idx", false, "attention scaled by 1/(layer index + 1)");
        f.refuseUnless("add_cross_attention", false, "cross-attention (an encoder-decoder model)");
        f.refuseUnless("tie_word_embeddings", true, "an lm_head separate from wte");
        // reorder_and_upcast_attn is accepted: it only makes HF compute the scores in float32, which is
        // what this implementation always does.
        return build(file, () -> new Gpt2Config(vocab, positions, embd, layers, heads, inner, (float) eps,
                activation, true));
    }

    /**
     * The config of a nanoGPT checkpoint's {@code model_args} dict (as {@code Checkpoint.content()}
     * gives it: {@code Long}, {@code Boolean}, {@code Double} values). Missing keys take nanoGPT's
     * {@code GPTConfig} defaults, as its {@code GPTConfig(**model_args)} does; {@code dropout} is
     * ignored. nanoGPT's model fixes exact erf GELU, LayerNorm epsilon 1e-5 and MLP width 4·n_embd.
     *
     * @param modelArgs the unpickled {@code checkpoint['model_args']}
     * @param file the checkpoint, for error messages
     * @return the config
     * @throws CheckpointException naming the file and the bad value
     */
    public static Gpt2Config fromNanoGptModelArgs(Map<?, ?> modelArgs, Path file) throws CheckpointException {
        NanoArgs a = new NanoArgs(file, modelArgs);
        int embd = a.integer("n_embd", 768);
        int vocab = a.integer("vocab_size", 50304); // GPT-2's 50257 padded to a multiple of 64
        int block = a.integer("block_size", 1024);
        int layers = a.integer("n_layer", 12);
        int heads = a.integer("n_head", 12);
        boolean bias = a.bool("bias", true);
        try {
            return new Gpt2Config(vocab, block, embd, layers, heads, 4 * embd, DEFAULT_LAYER_NORM_EPSILON,
                    Activation.GELU_ERF, bias);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "model_args", e.getMessage());
        }
    }

    /**
     * A config file of either JSON kind, told apart by its keys: {@code model_type} means Hugging
     * Face, {@code n_vocab} means OpenAI's {@code hparams.json}.
     *
     * @param file the config file
     * @return the config
     * @throws CheckpointException if the file is neither kind, or a bad config of its kind
     * @throws IOException if the file cannot be read
     */
    public static Gpt2Config fromJsonFile(Path file) throws IOException {
        JsonNode root = ConfigReader.readJson(file);
        if (root != null && root.has("model_type")) {
            return fromHuggingFaceConfig(file);
        }
        if (root != null && root.has("n_vocab")) {
            return fromOpenAiHparams(file);
        }
        throw new CheckpointException(file, null,
                "neither a Hugging Face config.json (no model_type) nor an OpenAI hparams.json (no n_vocab)");
    }

    private static String sizes(int vocab, int ctx, int embd, int layers, int heads, int inner) {
        return "vocab " + vocab + ", context " + ctx + ", n_embd " + embd + ", n_layer " + layers + ", n_head "
                + heads + ", n_inner " + inner;
    }

    /** The config {@code make} builds, its size checks reported as errors of {@code file}. */
    private static Gpt2Config build(Path file, java.util.function.Supplier<Gpt2Config> make) throws CheckpointException {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage());
        }
    }

    /** Typed reads of nanoGPT's unpickled {@code model_args}. */
    private record NanoArgs(Path file, Map<?, ?> args) {
        int integer(String key, int fallback) throws CheckpointException {
            Object v = args.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return l.intValue();
            }
            if (v instanceof Integer i) {
                return i;
            }
            if (v instanceof BigInteger || v instanceof Long) {
                throw new CheckpointException(file, "model_args", "'" + key + "' = " + v + " is out of range");
            }
            throw new CheckpointException(file, "model_args", "'" + key + "' is " + describe(v) + ", expected an int");
        }

        boolean bool(String key, boolean fallback) throws CheckpointException {
            Object v = args.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw new CheckpointException(file, "model_args", "'" + key + "' is " + describe(v) + ", expected a bool");
        }

        private static String describe(Object v) {
            return v.getClass().getSimpleName() + " " + v;
        }
    }
}
