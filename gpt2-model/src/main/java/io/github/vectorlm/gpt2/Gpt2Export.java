package io.github.vectorlm.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.decoder.ConfigReader;
import io.github.vectorlm.decoder.ExportSource;
import io.github.vectorlm.decoder.ExportTensor;
import io.github.vectorlm.decoder.Storage;
import io.github.vectorlm.decoder.WeightReader;
import io.github.vectorlm.gpt2.Gpt2WeightLayout.Parameter;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2 model, from any of its layouts, seen as Hugging Face's {@code GPT2LMHeadModel}: its
 * {@code config.json} and its state dict ({@code transformer.}-prefixed names, Conv1D weights
 * [in, out], the tied {@code lm_head.weight} left out as {@code save_pretrained} leaves it out).
 * nanoGPT's [out, in] weights are given transposed (a view); OpenAI's [1, in, out] as [in, out];
 * a nanoGPT model without biases ({@code bias=False}) gets zero biases, which Hugging Face's GPT-2
 * needs and which change nothing.
 */
final class Gpt2Export implements ExportSource {
    /** The state-dict order of a block's parameters in {@code GPT2LMHeadModel}. */
    private static final List<Parameter> BLOCK_ORDER = List.of(Parameter.NORM_1_WEIGHT, Parameter.NORM_1_BIAS,
            Parameter.ATTENTION_WEIGHT, Parameter.ATTENTION_BIAS, Parameter.ATTENTION_OUTPUT_WEIGHT,
            Parameter.ATTENTION_OUTPUT_BIAS, Parameter.NORM_2_WEIGHT, Parameter.NORM_2_BIAS, Parameter.MLP_UP_WEIGHT,
            Parameter.MLP_UP_BIAS, Parameter.MLP_DOWN_WEIGHT, Parameter.MLP_DOWN_BIAS);

    private final Gpt2Source source;
    private final Gpt2Config config;
    private final Checkpoint checkpoint;
    private final WeightReader<Parameter> reader;
    private final JsonNode sourceConfig;
    private final Arena zeros = Arena.ofShared();
    private final List<ExportTensor> tensors = new ArrayList<>();
    private final DType stored;

    Gpt2Export(Gpt2Source source, Gpt2Config config, Checkpoint checkpoint, WeightReader<Parameter> reader)
            throws IOException {
        this.source = source;
        this.config = config;
        this.checkpoint = checkpoint;
        this.reader = reader;
        this.sourceConfig = source.kind() == Gpt2Source.Kind.HUGGING_FACE ? ConfigReader.readJson(source.config()) : null;
        this.stored = reader.tensor(Parameter.ATTENTION_WEIGHT, 0).dtype();
        add(Parameter.TOKEN_EMBEDDING, -1);
        add(Parameter.POSITION_EMBEDDING, -1);
        for (int l = 0; l < config.layers(); l++) {
            for (Parameter p : BLOCK_ORDER) {
                add(p, l);
            }
        }
        add(Parameter.FINAL_NORM_WEIGHT, -1);
        add(Parameter.FINAL_NORM_BIAS, -1);
    }

    private void add(Parameter p, int layer) throws IOException {
        String name = Gpt2WeightLayout.HUGGING_FACE.entry(p).names("transformer.", layer).get(0);
        Tensor t = view(p, layer);
        tensors.add(new ExportTensor(name, t.dtype(), t.shape(), () -> view(p, layer)));
    }

    /** The parameter in the Hugging Face orientation: a view of the checkpoint, or zeros for a dropped bias. */
    private Tensor view(Parameter p, int layer) throws IOException {
        Tensor t = reader.optional(p, layer);
        if (t == null) {
            long size = p == Parameter.MLP_UP_BIAS ? config.innerSize()
                    : p == Parameter.ATTENTION_BIAS ? 3L * config.embeddingSize() : config.embeddingSize();
            return Tensor.allocate(zeros, stored, size); // bias=False: a zero bias is the same layer
        }
        if (Gpt2WeightLayout.HUGGING_FACE.entry(p).storage() == Storage.IN_OUT
                && tableOf().entry(p).storage() == Storage.OUT_IN) {
            return t.transpose(0, 1); // nanoGPT's nn.Linear [out, in] as Conv1D [in, out]
        }
        return t;
    }

    private io.github.vectorlm.decoder.WeightTable<Parameter> tableOf() {
        return source.kind().layout();
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    @Override
    public String name() {
        Path folder = source.folder().toAbsolutePath().normalize();
        return folder.getFileName() == null ? "gpt2" : folder.getFileName().toString();
    }

    @Override
    public Path tokenizerFolder() {
        return source.folder();
    }

    @Override
    public DType storedDType() {
        return stored;
    }

    @Override
    public ObjectNode config(DType dtype, int endOfText) {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.putArray("architectures").add("GPT2LMHeadModel");
        c.put("model_type", "gpt2");
        c.put("vocab_size", config.vocabSize());
        c.put("n_positions", config.contextLength());
        c.put("n_ctx", config.contextLength()); // older configs' name, which llama.cpp's converter reads
        c.put("n_embd", config.embeddingSize());
        c.put("n_layer", config.layers());
        c.put("n_head", config.heads());
        if (config.innerSize() == 4 * config.embeddingSize()) {
            c.putNull("n_inner");
        } else {
            c.put("n_inner", config.innerSize());
        }
        c.put("activation_function", config.activation() == Gpt2Config.Activation.GELU_TANH ? "gelu_new" : "gelu");
        c.put("layer_norm_epsilon", Double.parseDouble(Float.toString(config.layerNormEpsilon())));
        c.put("scale_attn_weights", true);
        c.put("scale_attn_by_inverse_layer_idx", false);
        c.put("reorder_and_upcast_attn", false);
        c.put("tie_word_embeddings", true);
        c.put("attn_pdrop", 0.0);
        c.put("embd_pdrop", 0.0);
        c.put("resid_pdrop", 0.0);
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
        c.put("torch_dtype", torchName(dtype));
        c.put("use_cache", true);
        return c;
    }

    static String torchName(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }

    @Override
    public List<ExportTensor> tensors() {
        return List.copyOf(tensors);
    }

    @Override
    public void close() {
        try {
            checkpoint.close();
        } finally {
            zeros.close();
        }
    }

}
