package io.github.vectorlm.neox;

import io.github.vectorlm.decoder.DecoderShape;
import io.github.vectorlm.decoder.Dim;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.decoder.ModelParameter;
import io.github.vectorlm.decoder.Presence;
import io.github.vectorlm.decoder.Storage;
import io.github.vectorlm.decoder.WeightEntry;
import io.github.vectorlm.decoder.WeightTable;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-NeoX's weight names in the two layouts its checkpoints come in: the {@link WeightTable} of
 * Hugging Face files, and the per-file names of NeoX's tensor-parallel "slim weights" with the rule
 * that merges each tensor's partitions. This is the only place that knows GPT-NeoX's weight names.
 */
final class NeoxWeightLayout {
    private NeoxWeightLayout() {
    }

    /**
     * Hugging Face {@code GPTNeoXForCausalLM}: {@code nn.Linear} weights [out, in]; the head
     * {@code embed_out.weight} (Pythia, transformers 4) or {@code lm_head.weight} (transformers 5),
     * absent (or a copy) when tied.
     */
    static final WeightTable<Parameter> HUGGING_FACE = new WeightTable<>("Hugging Face", List.of(""), List.of(
            new WeightEntry<>(Parameter.EMBEDDING, "gpt_neox.embed_in.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
            new WeightEntry<>(Parameter.INPUT_NORM_WEIGHT, "gpt_neox.layers.{layer}.input_layernorm.weight",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.INPUT_NORM_BIAS, "gpt_neox.layers.{layer}.input_layernorm.bias",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.QKV_WEIGHT, "gpt_neox.layers.{layer}.attention.query_key_value.weight",
                    Storage.OUT_IN, Dim.QKV, Dim.WIDTH),
            new WeightEntry<>(Parameter.QKV_BIAS, "gpt_neox.layers.{layer}.attention.query_key_value.bias",
                    Storage.VECTOR, Dim.QKV),
            new WeightEntry<>(Parameter.DENSE_WEIGHT, "gpt_neox.layers.{layer}.attention.dense.weight",
                    Storage.OUT_IN, Dim.WIDTH, Dim.WIDTH),
            new WeightEntry<>(Parameter.DENSE_BIAS, "gpt_neox.layers.{layer}.attention.dense.bias",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.POST_NORM_WEIGHT, "gpt_neox.layers.{layer}.post_attention_layernorm.weight",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.POST_NORM_BIAS, "gpt_neox.layers.{layer}.post_attention_layernorm.bias",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.UP_WEIGHT, "gpt_neox.layers.{layer}.mlp.dense_h_to_4h.weight",
                    Storage.OUT_IN, Dim.INNER, Dim.WIDTH),
            new WeightEntry<>(Parameter.UP_BIAS, "gpt_neox.layers.{layer}.mlp.dense_h_to_4h.bias",
                    Storage.VECTOR, Dim.INNER),
            new WeightEntry<>(Parameter.DOWN_WEIGHT, "gpt_neox.layers.{layer}.mlp.dense_4h_to_h.weight",
                    Storage.OUT_IN, Dim.WIDTH, Dim.INNER),
            new WeightEntry<>(Parameter.DOWN_BIAS, "gpt_neox.layers.{layer}.mlp.dense_4h_to_h.bias",
                    Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_WEIGHT, "gpt_neox.final_layer_norm.weight", Storage.VECTOR,
                    Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_BIAS, "gpt_neox.final_layer_norm.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.HEAD, List.of("embed_out.weight", "lm_head.weight"), Storage.OUT_IN,
                    List.of(Dim.VOCAB, Dim.WIDTH))),
            // buffers older transformers versions saved: the causal mask, its fill value, the rotary frequencies
            List.of("gpt_neox.layers.{layer}.attention.bias", "gpt_neox.layers.{layer}.attention.masked_bias",
                    "gpt_neox.layers.{layer}.attention.rotary_emb.inv_freq", "gpt_neox.rotary_emb.inv_freq"));

    /**
     * GPT-NeoX's own pipeline-layer files ("slim weights"): names within one
     * {@code layer_NN-model_PP-model_states.pt}, the pipeline layer given by {@link Parameter#stage()},
     * and how the tensor-parallel partitions merge.
     */
    static final List<SlimEntry> SLIM = List.of(
            new SlimEntry(Parameter.EMBEDDING, "word_embeddings.weight", Merge.CONCAT_ROWS, Dim.VOCAB, Dim.WIDTH),
            new SlimEntry(Parameter.INPUT_NORM_WEIGHT, "input_layernorm.weight", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.INPUT_NORM_BIAS, "input_layernorm.bias", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.QKV_WEIGHT, "attention.query_key_value.weight", Merge.CONCAT_ROWS, Dim.QKV,
                    Dim.WIDTH),
            new SlimEntry(Parameter.QKV_BIAS, "attention.query_key_value.bias", Merge.CONCAT_ROWS, Dim.QKV),
            new SlimEntry(Parameter.DENSE_WEIGHT, "attention.dense.weight", Merge.CONCAT_COLUMNS, Dim.WIDTH, Dim.WIDTH),
            new SlimEntry(Parameter.DENSE_BIAS, "attention.dense.bias", Merge.SUM, Dim.WIDTH),
            new SlimEntry(Parameter.POST_NORM_WEIGHT, "post_attention_layernorm.weight", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.POST_NORM_BIAS, "post_attention_layernorm.bias", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.UP_WEIGHT, "mlp.dense_h_to_4h.weight", Merge.CONCAT_ROWS, Dim.INNER, Dim.WIDTH),
            new SlimEntry(Parameter.UP_BIAS, "mlp.dense_h_to_4h.bias", Merge.CONCAT_ROWS, Dim.INNER),
            new SlimEntry(Parameter.DOWN_WEIGHT, "mlp.dense_4h_to_h.weight", Merge.CONCAT_COLUMNS, Dim.WIDTH, Dim.INNER),
            new SlimEntry(Parameter.DOWN_BIAS, "mlp.dense_4h_to_h.bias", Merge.SUM, Dim.WIDTH),
            new SlimEntry(Parameter.FINAL_NORM_WEIGHT, "norm.weight", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.FINAL_NORM_BIAS, "norm.bias", Merge.DUPLICATE, Dim.WIDTH),
            new SlimEntry(Parameter.HEAD, "final_linear.weight", Merge.CONCAT_ROWS, Dim.VOCAB, Dim.WIDTH));

    /** Names in slim files that are not weights: the rotary frequencies NeoX registers as a buffer in every layer. */
    static final List<String> SLIM_IGNORED = List.of("attention.rotary_emb.inv_freq");

    /** The description of the slim layout in messages. */
    static final String SLIM_DESCRIPTION = "GPT-NeoX slim";

    /**
     * One tensor of a slim pipeline-layer file.
     *
     * @param parameter what the tensor is
     * @param name its name within the file
     * @param merge how its partitions combine
     * @param shape its merged shape
     */
    record SlimEntry(Parameter parameter, String name, Merge merge, List<Dim> shape) {
        SlimEntry(Parameter parameter, String name, Merge merge, Dim... shape) {
            this(parameter, name, merge, List.of(shape));
        }

        /** The merged shape a model of {@code model}'s sizes expects. */
        long[] expectedShape(DecoderShape model) {
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).size(model);
            }
            return dims;
        }
    }

    /** The slim entries of one stage, in table order. */
    static List<SlimEntry> slimEntries(Stage stage) {
        List<SlimEntry> out = new ArrayList<>();
        for (SlimEntry e : SLIM) {
            if (e.parameter().stage() == stage) {
                out.add(e);
            }
        }
        return out;
    }

    /** Which parameters make up a transformer layer. */
    static final LayerWeights.Parameters<Parameter> LAYER = new LayerWeights.Parameters<>(
            Parameter.INPUT_NORM_WEIGHT, Parameter.INPUT_NORM_BIAS, Parameter.QKV_WEIGHT, Parameter.QKV_BIAS,
            Parameter.DENSE_WEIGHT, Parameter.DENSE_BIAS, Parameter.POST_NORM_WEIGHT, Parameter.POST_NORM_BIAS,
            Parameter.UP_WEIGHT, Parameter.UP_BIAS, Parameter.DOWN_WEIGHT, Parameter.DOWN_BIAS);

    /** Where a parameter lives; for slim weights, which pipeline layer holds it. */
    enum Stage {
        /** the input embedding: pipeline layer 0. */
        EMBEDDING,
        /** transformer layer i: pipeline layer i + 2. */
        LAYER,
        /** the final LayerNorm: pipeline layer n_layers + 3. */
        FINAL_NORM,
        /** the output projection: pipeline layer n_layers + 4. */
        HEAD;

        /**
         * The pipeline index in NeoX's {@code layer_NN} file names: 1 and n + 2 are parameterless
         * (NeoX's embedding-to-transformer and transformer-to-norm lambdas).
         */
        int pipelineIndex(int layer, int layers) {
            return switch (this) {
                case EMBEDDING -> 0;
                case LAYER -> layer + 2;
                case FINAL_NORM -> layers + 3;
                case HEAD -> layers + 4;
            };
        }
    }

    /** The model's parameters. */
    enum Parameter implements ModelParameter {
        /** embed_in / word_embeddings, [vocab, hidden]. */
        EMBEDDING(Stage.EMBEDDING, Kind.WEIGHT),
        /** input_layernorm weight (ln1). */
        INPUT_NORM_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** input_layernorm bias. */
        INPUT_NORM_BIAS(Stage.LAYER, Kind.BIAS),
        /** attention.query_key_value, [3·hidden, hidden], rows [n_heads, 3, head_dim]. */
        QKV_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** attention.query_key_value bias, laid out as the rows. */
        QKV_BIAS(Stage.LAYER, Kind.ATTENTION_BIAS),
        /** attention.dense, [hidden, hidden]. */
        DENSE_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** attention.dense bias. */
        DENSE_BIAS(Stage.LAYER, Kind.ATTENTION_BIAS),
        /** post_attention_layernorm weight (ln2). */
        POST_NORM_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** post_attention_layernorm bias. */
        POST_NORM_BIAS(Stage.LAYER, Kind.BIAS),
        /** mlp.dense_h_to_4h, [intermediate, hidden]. */
        UP_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** mlp.dense_h_to_4h bias. */
        UP_BIAS(Stage.LAYER, Kind.BIAS),
        /** mlp.dense_4h_to_h, [hidden, intermediate]. */
        DOWN_WEIGHT(Stage.LAYER, Kind.WEIGHT),
        /** mlp.dense_4h_to_h bias. */
        DOWN_BIAS(Stage.LAYER, Kind.BIAS),
        /** final_layer_norm / norm weight. */
        FINAL_NORM_WEIGHT(Stage.FINAL_NORM, Kind.WEIGHT),
        /** final_layer_norm / norm bias. */
        FINAL_NORM_BIAS(Stage.FINAL_NORM, Kind.BIAS),
        /** embed_out / lm_head / final_linear, [vocab, hidden]; absent when the head is tied. */
        HEAD(Stage.HEAD, Kind.HEAD);

        private final Stage stage;
        private final Kind kind;

        Parameter(Stage stage, Kind kind) {
            this.stage = stage;
            this.kind = kind;
        }

        Stage stage() {
            return stage;
        }

        @Override
        public boolean perLayer() {
            return stage == Stage.LAYER;
        }

        /** Whether a model of {@code config} has this parameter in its checkpoint. */
        boolean expected(NeoxConfig config) {
            return switch (kind) {
                case WEIGHT, BIAS -> true;
                case ATTENTION_BIAS -> config.attentionBias();
                case HEAD -> !config.tiedEmbeddings();
            };
        }

        /**
         * How a Hugging Face checkpoint of {@code config} holds this parameter: a head saved beside a
         * tied embedding is a copy (transformers saves one), checked but not used.
         */
        Presence presence(NeoxConfig config) {
            if (expected(config)) {
                return Presence.REQUIRED;
            }
            return kind == Kind.HEAD ? Presence.OPTIONAL : Presence.absent("the config has attention_bias false");
        }

        private enum Kind { WEIGHT, BIAS, ATTENTION_BIAS, HEAD }
    }

    /** How NeoX's tensor-parallel partitions of a tensor combine into the whole. */
    enum Merge {
        /** each partition holds a block of rows: concatenate along dim 0. */
        CONCAT_ROWS,
        /** each partition holds a block of columns (row-parallel layers): concatenate along dim 1. */
        CONCAT_COLUMNS,
        /** each partition holds a share of every value (row-parallel biases): add them. */
        SUM,
        /** every partition holds the whole (LayerNorms): they must agree; their mean is used. */
        DUPLICATE
    }
}
