package io.github.vectorlm.gpt2;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One checkpoint layout's weight names: a declarative table from checkpoint names to the model's
 * {@link Parameter}s, with each tensor's stored orientation and shape. This is the only place that
 * knows weight names; model code asks the table.
 *
 * <p>Templates hold two placeholders: {@code {p}}, the name prefix the checkpoint turned out to use
 * (one of {@link #prefixes()}, e.g. Hugging Face's optional {@code transformer.}), and
 * {@code {layer}}, the block index.
 *
 * @param description the layout's name in messages
 * @param prefixes the values {@code {p}} may take, the usual first
 * @param entries one entry per parameter
 * @param ignored templates of tensors that may be present and are not weights (attention-mask buffers)
 */
record Gpt2WeightLayout(String description, List<String> prefixes, List<Entry> entries, List<String> ignored) {

    /** OpenAI's TensorFlow checkpoint: {@code model/h0/attn/c_attn/w} [1, in, out], lm head tied to {@code model/wte}. */
    static final Gpt2WeightLayout OPENAI_TF = new Gpt2WeightLayout("OpenAI TensorFlow", List.of(""), List.of(
            new Entry(Parameter.TOKEN_EMBEDDING, "model/wte", Storage.ROWS, Dim.VOCAB, Dim.EMBED),
            new Entry(Parameter.POSITION_EMBEDDING, "model/wpe", Storage.ROWS, Dim.CONTEXT, Dim.EMBED),
            new Entry(Parameter.NORM_1_WEIGHT, "model/h{layer}/ln_1/g", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_1_BIAS, "model/h{layer}/ln_1/b", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.ATTENTION_WEIGHT, "model/h{layer}/attn/c_attn/w", Storage.IN_OUT,
                    Dim.ONE, Dim.EMBED, Dim.QKV),
            new Entry(Parameter.ATTENTION_BIAS, "model/h{layer}/attn/c_attn/b", Storage.VECTOR, Dim.QKV),
            new Entry(Parameter.ATTENTION_OUTPUT_WEIGHT, "model/h{layer}/attn/c_proj/w", Storage.IN_OUT,
                    Dim.ONE, Dim.EMBED, Dim.EMBED),
            new Entry(Parameter.ATTENTION_OUTPUT_BIAS, "model/h{layer}/attn/c_proj/b", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_2_WEIGHT, "model/h{layer}/ln_2/g", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_2_BIAS, "model/h{layer}/ln_2/b", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.MLP_UP_WEIGHT, "model/h{layer}/mlp/c_fc/w", Storage.IN_OUT,
                    Dim.ONE, Dim.EMBED, Dim.INNER),
            new Entry(Parameter.MLP_UP_BIAS, "model/h{layer}/mlp/c_fc/b", Storage.VECTOR, Dim.INNER),
            new Entry(Parameter.MLP_DOWN_WEIGHT, "model/h{layer}/mlp/c_proj/w", Storage.IN_OUT,
                    Dim.ONE, Dim.INNER, Dim.EMBED),
            new Entry(Parameter.MLP_DOWN_BIAS, "model/h{layer}/mlp/c_proj/b", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_WEIGHT, "model/ln_f/g", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_BIAS, "model/ln_f/b", Storage.VECTOR, Dim.EMBED)),
            List.of());

    /**
     * Hugging Face {@code GPT2LMHeadModel} / {@code GPT2Model}: Conv1D weights [in, out], names with
     * or without {@code transformer.}, {@code lm_head.weight} optional (tied to wte).
     */
    static final Gpt2WeightLayout HUGGING_FACE = new Gpt2WeightLayout("Hugging Face", List.of("transformer.", ""),
            List.of(
            new Entry(Parameter.TOKEN_EMBEDDING, "{p}wte.weight", Storage.ROWS, Dim.VOCAB, Dim.EMBED),
            new Entry(Parameter.POSITION_EMBEDDING, "{p}wpe.weight", Storage.ROWS, Dim.CONTEXT, Dim.EMBED),
            new Entry(Parameter.NORM_1_WEIGHT, "{p}h.{layer}.ln_1.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_1_BIAS, "{p}h.{layer}.ln_1.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.ATTENTION_WEIGHT, "{p}h.{layer}.attn.c_attn.weight", Storage.IN_OUT,
                    Dim.EMBED, Dim.QKV),
            new Entry(Parameter.ATTENTION_BIAS, "{p}h.{layer}.attn.c_attn.bias", Storage.VECTOR, Dim.QKV),
            new Entry(Parameter.ATTENTION_OUTPUT_WEIGHT, "{p}h.{layer}.attn.c_proj.weight", Storage.IN_OUT,
                    Dim.EMBED, Dim.EMBED),
            new Entry(Parameter.ATTENTION_OUTPUT_BIAS, "{p}h.{layer}.attn.c_proj.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_2_WEIGHT, "{p}h.{layer}.ln_2.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_2_BIAS, "{p}h.{layer}.ln_2.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.MLP_UP_WEIGHT, "{p}h.{layer}.mlp.c_fc.weight", Storage.IN_OUT, Dim.EMBED, Dim.INNER),
            new Entry(Parameter.MLP_UP_BIAS, "{p}h.{layer}.mlp.c_fc.bias", Storage.VECTOR, Dim.INNER),
            new Entry(Parameter.MLP_DOWN_WEIGHT, "{p}h.{layer}.mlp.c_proj.weight", Storage.IN_OUT,
                    Dim.INNER, Dim.EMBED),
            new Entry(Parameter.MLP_DOWN_BIAS, "{p}h.{layer}.mlp.c_proj.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_WEIGHT, "{p}ln_f.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_BIAS, "{p}ln_f.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.TIED_HEAD, "lm_head.weight", Storage.ROWS, Dim.VOCAB, Dim.EMBED)),
            // causal-mask buffers older transformers versions saved (the OpenAI-converted hub files have them)
            List.of("{p}h.{layer}.attn.bias", "{p}h.{layer}.attn.masked_bias"));

    /**
     * nanoGPT's {@code GPT}: {@code nn.Linear} weights [out, in], keys perhaps prefixed
     * {@code _orig_mod.} (a {@code torch.compile}d model), {@code lm_head.weight} tied to wte, no
     * biases when {@code bias=False}.
     */
    static final Gpt2WeightLayout NANOGPT = new Gpt2WeightLayout("nanoGPT", List.of("", "_orig_mod."), List.of(
            new Entry(Parameter.TOKEN_EMBEDDING, "{p}transformer.wte.weight", Storage.ROWS, Dim.VOCAB, Dim.EMBED),
            new Entry(Parameter.POSITION_EMBEDDING, "{p}transformer.wpe.weight", Storage.ROWS, Dim.CONTEXT, Dim.EMBED),
            new Entry(Parameter.NORM_1_WEIGHT, "{p}transformer.h.{layer}.ln_1.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_1_BIAS, "{p}transformer.h.{layer}.ln_1.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.ATTENTION_WEIGHT, "{p}transformer.h.{layer}.attn.c_attn.weight", Storage.OUT_IN,
                    Dim.QKV, Dim.EMBED),
            new Entry(Parameter.ATTENTION_BIAS, "{p}transformer.h.{layer}.attn.c_attn.bias", Storage.VECTOR, Dim.QKV),
            new Entry(Parameter.ATTENTION_OUTPUT_WEIGHT, "{p}transformer.h.{layer}.attn.c_proj.weight", Storage.OUT_IN,
                    Dim.EMBED, Dim.EMBED),
            new Entry(Parameter.ATTENTION_OUTPUT_BIAS, "{p}transformer.h.{layer}.attn.c_proj.bias", Storage.VECTOR,
                    Dim.EMBED),
            new Entry(Parameter.NORM_2_WEIGHT, "{p}transformer.h.{layer}.ln_2.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.NORM_2_BIAS, "{p}transformer.h.{layer}.ln_2.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.MLP_UP_WEIGHT, "{p}transformer.h.{layer}.mlp.c_fc.weight", Storage.OUT_IN,
                    Dim.INNER, Dim.EMBED),
            new Entry(Parameter.MLP_UP_BIAS, "{p}transformer.h.{layer}.mlp.c_fc.bias", Storage.VECTOR, Dim.INNER),
            new Entry(Parameter.MLP_DOWN_WEIGHT, "{p}transformer.h.{layer}.mlp.c_proj.weight", Storage.OUT_IN,
                    Dim.EMBED, Dim.INNER),
            new Entry(Parameter.MLP_DOWN_BIAS, "{p}transformer.h.{layer}.mlp.c_proj.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_WEIGHT, "{p}transformer.ln_f.weight", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.FINAL_NORM_BIAS, "{p}transformer.ln_f.bias", Storage.VECTOR, Dim.EMBED),
            new Entry(Parameter.TIED_HEAD, "{p}lm_head.weight", Storage.ROWS, Dim.VOCAB, Dim.EMBED)),
            // the causal-mask buffer nanoGPT registers when flash attention is unavailable (torch < 2.0)
            List.of("{p}transformer.h.{layer}.attn.bias"));

    Gpt2WeightLayout {
        prefixes = List.copyOf(prefixes);
        entries = List.copyOf(entries);
        ignored = List.copyOf(ignored);
    }

    /** The model's parameters, one per entry of a table. */
    enum Parameter {
        /** wte, [vocab, n_embd]; the LM head reads it too. */
        TOKEN_EMBEDDING(false, false),
        /** wpe, [n_ctx, n_embd]. */
        POSITION_EMBEDDING(false, false),
        /** ln_1 weight (gain). */
        NORM_1_WEIGHT(true, false),
        /** ln_1 bias. */
        NORM_1_BIAS(true, true),
        /** attn.c_attn: fused q, k, v projection n_embd → 3·n_embd. */
        ATTENTION_WEIGHT(true, false),
        /** attn.c_attn bias. */
        ATTENTION_BIAS(true, true),
        /** attn.c_proj: n_embd → n_embd. */
        ATTENTION_OUTPUT_WEIGHT(true, false),
        /** attn.c_proj bias. */
        ATTENTION_OUTPUT_BIAS(true, true),
        /** ln_2 weight. */
        NORM_2_WEIGHT(true, false),
        /** ln_2 bias. */
        NORM_2_BIAS(true, true),
        /** mlp.c_fc: n_embd → n_inner. */
        MLP_UP_WEIGHT(true, false),
        /** mlp.c_fc bias. */
        MLP_UP_BIAS(true, true),
        /** mlp.c_proj: n_inner → n_embd. */
        MLP_DOWN_WEIGHT(true, false),
        /** mlp.c_proj bias. */
        MLP_DOWN_BIAS(true, true),
        /** ln_f weight. */
        FINAL_NORM_WEIGHT(false, false),
        /** ln_f bias. */
        FINAL_NORM_BIAS(false, true),
        /**
         * A saved copy of the tied head ({@code lm_head.weight}): optional, shape-checked, not used —
         * the head is wte, as Hugging Face and nanoGPT tie it.
         */
        TIED_HEAD(false, false);

        private final boolean perLayer;
        private final boolean bias;

        Parameter(boolean perLayer, boolean bias) {
            this.perLayer = perLayer;
            this.bias = bias;
        }

        /** Whether each block has one. */
        boolean perLayer() {
            return perLayer;
        }

        /** Whether it exists only when the config has biases. */
        boolean isBias() {
            return bias;
        }
    }

    /** How a tensor is stored. */
    enum Storage {
        /** 1-D. */
        VECTOR,
        /** a table read by rows (embeddings). */
        ROWS,
        /** a matrix stored [in, out] (after dropping leading 1s): {@code Linear.inOut}. */
        IN_OUT,
        /** a matrix stored [out, in]: {@code Linear.outIn}. */
        OUT_IN
    }

    /** A symbolic dimension, resolved against a config. */
    enum Dim {
        /** 1: OpenAI's TF conv weights carry a leading 1. */
        ONE,
        /** vocab size. */
        VOCAB,
        /** context length. */
        CONTEXT,
        /** n_embd. */
        EMBED,
        /** 3·n_embd: fused q, k, v. */
        QKV,
        /** the MLP width. */
        INNER;

        long size(Gpt2Config c) {
            return switch (this) {
                case ONE -> 1;
                case VOCAB -> c.vocabSize();
                case CONTEXT -> c.contextLength();
                case EMBED -> c.embeddingSize();
                case QKV -> 3L * c.embeddingSize();
                case INNER -> c.innerSize();
            };
        }
    }

    /**
     * One row of a table.
     *
     * @param parameter what the tensor is
     * @param template its name, with {@code {p}} and {@code {layer}} placeholders
     * @param storage its orientation
     * @param shape its stored shape; leading {@link Dim#ONE}s are dropped from the model's view
     */
    record Entry(Parameter parameter, String template, Storage storage, List<Dim> shape) {
        Entry(Parameter parameter, String template, Storage storage, Dim... shape) {
            this(parameter, template, storage, List.of(shape));
        }

        /** The stored shape this config expects. */
        long[] expectedShape(Gpt2Config config) {
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).size(config);
            }
            return dims;
        }

        /** How many leading 1s the stored shape has beyond the model's 1-D or 2-D view. */
        int leadingOnes() {
            int n = 0;
            while (n < shape.size() && shape.get(n) == Dim.ONE) {
                n++;
            }
            return n;
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

    /** The checkpoint name of {@code entry} for a prefix and a block ({@code layer} is ignored for model-wide entries). */
    static String name(Entry entry, String prefix, int layer) {
        return entry.template().replace("{p}", prefix).replace("{layer}", Integer.toString(layer));
    }

    /**
     * The value of {@code {p}} the names use: the candidate under which most names are known to this
     * table (the first candidate on a tie, and when none matches).
     */
    String detectPrefix(List<String> names) {
        String best = prefixes.get(0);
        int bestCount = -1;
        for (String prefix : prefixes) {
            List<Pattern> patterns = patterns(prefix, true);
            int count = 0;
            for (String n : names) {
                if (matchesAny(patterns, n)) {
                    count++;
                }
            }
            if (count > bestCount) {
                best = prefix;
                bestCount = count;
            }
        }
        return best;
    }

    /** Whether {@code name} is one of the {@link #ignored()} tensors under {@code prefix}. */
    boolean isIgnored(String name, String prefix) {
        return matchesAny(ignoredPatterns(prefix), name);
    }

    List<Pattern> ignoredPatterns(String prefix) {
        List<Pattern> out = new ArrayList<>();
        for (String t : ignored) {
            out.add(pattern(t, prefix));
        }
        return out;
    }

    static boolean matchesAny(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    private List<Pattern> patterns(String prefix, boolean withIgnored) {
        List<Pattern> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(pattern(e.template(), prefix));
        }
        if (withIgnored) {
            out.addAll(ignoredPatterns(prefix));
        }
        return out;
    }

    /** A template as a regex: {@code {layer}} matches any block number. */
    private static Pattern pattern(String template, String prefix) {
        String filled = template.replace("{p}", prefix);
        StringBuilder regex = new StringBuilder();
        int at = 0;
        for (int i = filled.indexOf("{layer}"); i >= 0; i = filled.indexOf("{layer}", at)) {
            regex.append(Pattern.quote(filled.substring(at, i))).append("(0|[1-9][0-9]*)");
            at = i + "{layer}".length();
        }
        regex.append(Pattern.quote(filled.substring(at)));
        return Pattern.compile(regex.toString());
    }
}
