package io.github.vectorlm.neox;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One checkpoint layout's weight names: a declarative table from checkpoint names to the model's
 * {@link Parameter}s, with each tensor's shape and, for NeoX's tensor-parallel partitions, the rule
 * that merges them. This is the only place that knows weight names.
 *
 * <p>Templates may hold {@code {layer}}, the transformer layer's index. An entry may list several
 * templates: the checkpoint holds exactly one of them (the head is {@code embed_out.weight} in
 * Pythia and transformers 4.x files, {@code lm_head.weight} in transformers 5's).
 *
 * @param description the layout's name in messages
 * @param entries one entry per parameter
 * @param ignored templates of tensors that may be present and are not weights (buffers)
 */
record NeoxWeightLayout(String description, List<Entry> entries, List<String> ignored) {

    /**
     * Hugging Face {@code GPTNeoXForCausalLM}: {@code nn.Linear} weights [out, in]; the head
     * {@code embed_out.weight} or {@code lm_head.weight}, absent (or a copy) when tied.
     */
    static final NeoxWeightLayout HUGGING_FACE = new NeoxWeightLayout("Hugging Face", List.of(
            new Entry(Parameter.EMBEDDING, "gpt_neox.embed_in.weight", Dim.VOCAB, Dim.HIDDEN),
            new Entry(Parameter.INPUT_NORM_WEIGHT, "gpt_neox.layers.{layer}.input_layernorm.weight", Dim.HIDDEN),
            new Entry(Parameter.INPUT_NORM_BIAS, "gpt_neox.layers.{layer}.input_layernorm.bias", Dim.HIDDEN),
            new Entry(Parameter.QKV_WEIGHT, "gpt_neox.layers.{layer}.attention.query_key_value.weight",
                    Dim.QKV, Dim.HIDDEN),
            new Entry(Parameter.QKV_BIAS, "gpt_neox.layers.{layer}.attention.query_key_value.bias", Dim.QKV),
            new Entry(Parameter.DENSE_WEIGHT, "gpt_neox.layers.{layer}.attention.dense.weight", Dim.HIDDEN, Dim.HIDDEN),
            new Entry(Parameter.DENSE_BIAS, "gpt_neox.layers.{layer}.attention.dense.bias", Dim.HIDDEN),
            new Entry(Parameter.POST_NORM_WEIGHT, "gpt_neox.layers.{layer}.post_attention_layernorm.weight",
                    Dim.HIDDEN),
            new Entry(Parameter.POST_NORM_BIAS, "gpt_neox.layers.{layer}.post_attention_layernorm.bias", Dim.HIDDEN),
            new Entry(Parameter.UP_WEIGHT, "gpt_neox.layers.{layer}.mlp.dense_h_to_4h.weight",
                    Dim.INTERMEDIATE, Dim.HIDDEN),
            new Entry(Parameter.UP_BIAS, "gpt_neox.layers.{layer}.mlp.dense_h_to_4h.bias", Dim.INTERMEDIATE),
            new Entry(Parameter.DOWN_WEIGHT, "gpt_neox.layers.{layer}.mlp.dense_4h_to_h.weight",
                    Dim.HIDDEN, Dim.INTERMEDIATE),
            new Entry(Parameter.DOWN_BIAS, "gpt_neox.layers.{layer}.mlp.dense_4h_to_h.bias", Dim.HIDDEN),
            new Entry(Parameter.FINAL_NORM_WEIGHT, "gpt_neox.final_layer_norm.weight", Dim.HIDDEN),
            new Entry(Parameter.FINAL_NORM_BIAS, "gpt_neox.final_layer_norm.bias", Dim.HIDDEN),
            new Entry(Parameter.HEAD, List.of("embed_out.weight", "lm_head.weight"), null,
                    List.of(Dim.VOCAB, Dim.HIDDEN))),
            // buffers older transformers versions saved: the causal mask, its fill value, the rotary frequencies
            List.of("gpt_neox.layers.{layer}.attention.bias", "gpt_neox.layers.{layer}.attention.masked_bias",
                    "gpt_neox.layers.{layer}.attention.rotary_emb.inv_freq", "gpt_neox.rotary_emb.inv_freq"));

    /**
     * GPT-NeoX's own pipeline-layer files ("slim weights"): names within one
     * {@code layer_NN-model_PP-model_states.pt}, the pipeline layer given by {@link Parameter#stage()},
     * and how the tensor-parallel partitions merge.
     */
    static final NeoxWeightLayout NEOX_SLIM = new NeoxWeightLayout("GPT-NeoX slim", List.of(
            new Entry(Parameter.EMBEDDING, "word_embeddings.weight", Merge.CONCAT_ROWS, Dim.VOCAB, Dim.HIDDEN),
            new Entry(Parameter.INPUT_NORM_WEIGHT, "input_layernorm.weight", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.INPUT_NORM_BIAS, "input_layernorm.bias", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.QKV_WEIGHT, "attention.query_key_value.weight", Merge.CONCAT_ROWS, Dim.QKV, Dim.HIDDEN),
            new Entry(Parameter.QKV_BIAS, "attention.query_key_value.bias", Merge.CONCAT_ROWS, Dim.QKV),
            new Entry(Parameter.DENSE_WEIGHT, "attention.dense.weight", Merge.CONCAT_COLUMNS, Dim.HIDDEN, Dim.HIDDEN),
            new Entry(Parameter.DENSE_BIAS, "attention.dense.bias", Merge.SUM, Dim.HIDDEN),
            new Entry(Parameter.POST_NORM_WEIGHT, "post_attention_layernorm.weight", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.POST_NORM_BIAS, "post_attention_layernorm.bias", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.UP_WEIGHT, "mlp.dense_h_to_4h.weight", Merge.CONCAT_ROWS, Dim.INTERMEDIATE, Dim.HIDDEN),
            new Entry(Parameter.UP_BIAS, "mlp.dense_h_to_4h.bias", Merge.CONCAT_ROWS, Dim.INTERMEDIATE),
            new Entry(Parameter.DOWN_WEIGHT, "mlp.dense_4h_to_h.weight", Merge.CONCAT_COLUMNS,
                    Dim.HIDDEN, Dim.INTERMEDIATE),
            new Entry(Parameter.DOWN_BIAS, "mlp.dense_4h_to_h.bias", Merge.SUM, Dim.HIDDEN),
            new Entry(Parameter.FINAL_NORM_WEIGHT, "norm.weight", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.FINAL_NORM_BIAS, "norm.bias", Merge.DUPLICATE, Dim.HIDDEN),
            new Entry(Parameter.HEAD, "final_linear.weight", Merge.CONCAT_ROWS, Dim.VOCAB, Dim.HIDDEN)),
            // the rotary frequencies NeoX registers as a buffer in every layer
            List.of("attention.rotary_emb.inv_freq"));

    NeoxWeightLayout {
        entries = List.copyOf(entries);
        ignored = List.copyOf(ignored);
    }

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
    enum Parameter {
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

        /** Whether a model of {@code config} has this parameter in its checkpoint. */
        boolean expected(NeoxConfig config) {
            return switch (kind) {
                case WEIGHT, BIAS -> true;
                case ATTENTION_BIAS -> config.attentionBias();
                case HEAD -> !config.tiedEmbeddings();
            };
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

    /** A symbolic dimension, resolved against a config. */
    enum Dim {
        VOCAB, HIDDEN, QKV, INTERMEDIATE;

        long size(NeoxConfig c) {
            return switch (this) {
                case VOCAB -> c.vocabSize();
                case HIDDEN -> c.hiddenSize();
                case QKV -> 3L * c.hiddenSize();
                case INTERMEDIATE -> c.intermediateSize();
            };
        }
    }

    /**
     * One row of a table.
     *
     * @param parameter what the tensor is
     * @param templates its name(s), with a {@code {layer}} placeholder for per-layer parameters
     * @param merge how partitions combine (slim weights), or null for single-copy layouts
     * @param shape its shape
     */
    record Entry(Parameter parameter, List<String> templates, Merge merge, List<Dim> shape) {
        Entry {
            templates = List.copyOf(templates);
            shape = List.copyOf(shape);
        }

        Entry(Parameter parameter, String template, Dim... shape) {
            this(parameter, List.of(template), null, List.of(shape));
        }

        Entry(Parameter parameter, String template, Merge merge, Dim... shape) {
            this(parameter, List.of(template), merge, List.of(shape));
        }

        /** The shape this config expects. */
        long[] expectedShape(NeoxConfig config) {
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).size(config);
            }
            return dims;
        }

        /** The checkpoint names this entry may take for {@code layer} (ignored for model-wide entries). */
        List<String> names(int layer) {
            List<String> out = new ArrayList<>(templates.size());
            for (String t : templates) {
                out.add(t.replace("{layer}", Integer.toString(layer)));
            }
            return out;
        }
    }

    /** The entry for {@code parameter}. */
    Entry entry(Parameter parameter) {
        for (Entry e : entries) {
            if (e.parameter() == parameter) {
                return e;
            }
        }
        throw new IllegalArgumentException(description + " layout has no " + parameter);
    }

    /** The entries of one stage, in table order. */
    List<Entry> entries(Stage stage) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.parameter().stage() == stage) {
                out.add(e);
            }
        }
        return out;
    }

    /** Whether {@code name} is one of the {@link #ignored()} buffers. */
    boolean isIgnored(String name) {
        for (String t : ignored) {
            if (pattern(t).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A template as a regex: {@code {layer}} matches any layer number. */
    static Pattern pattern(String template) {
        StringBuilder regex = new StringBuilder();
        int at = 0;
        for (int i = template.indexOf("{layer}"); i >= 0; i = template.indexOf("{layer}", at)) {
            regex.append(Pattern.quote(template.substring(at, i))).append("(0|[1-9][0-9]*)");
            at = i + "{layer}".length();
        }
        regex.append(Pattern.quote(template.substring(at)));
        return Pattern.compile(regex.toString());
    }

    /** The layer number in {@code name} if it matches a per-layer template of this table, else -1. */
    int layerOf(String name) {
        for (Entry e : entries) {
            for (String t : e.templates()) {
                if (t.contains("{layer}")) {
                    Matcher m = pattern(t).matcher(name);
                    if (m.matches()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            }
        }
        return -1;
    }
}
