package io.github.vectorlm.gpt2;

import io.github.vectorlm.decoder.Dim;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.decoder.ModelParameter;
import io.github.vectorlm.decoder.Storage;
import io.github.vectorlm.decoder.WeightEntry;
import io.github.vectorlm.decoder.WeightTable;
import java.util.List;

/**
 * GPT-2's weight names in each layout its checkpoints come in: one declarative
 * {@link WeightTable} per source, from checkpoint names to {@link Parameter}s, with each tensor's
 * stored orientation and shape. This is the only place that knows GPT-2's weight names.
 *
 * <p>Templates hold {@code {p}}, the name prefix the checkpoint turned out to use (Hugging Face's
 * optional {@code transformer.}, a compiled nanoGPT's {@code _orig_mod.}), and {@code {layer}}.
 */
final class Gpt2WeightLayout {
    private Gpt2WeightLayout() {
    }

    /** OpenAI's TensorFlow checkpoint: {@code model/h0/attn/c_attn/w} [1, in, out], lm head tied to {@code model/wte}. */
    static final WeightTable<Parameter> OPENAI_TF = new WeightTable<>("OpenAI TensorFlow", List.of(""), List.of(
            new WeightEntry<>(Parameter.TOKEN_EMBEDDING, "model/wte", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
            new WeightEntry<>(Parameter.POSITION_EMBEDDING, "model/wpe", Storage.ROWS, Dim.CONTEXT, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_WEIGHT, "model/h{layer}/ln_1/g", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_BIAS, "model/h{layer}/ln_1/b", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_WEIGHT, "model/h{layer}/attn/c_attn/w", Storage.IN_OUT,
                    Dim.ONE, Dim.WIDTH, Dim.QKV),
            new WeightEntry<>(Parameter.ATTENTION_BIAS, "model/h{layer}/attn/c_attn/b", Storage.VECTOR, Dim.QKV),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_WEIGHT, "model/h{layer}/attn/c_proj/w", Storage.IN_OUT,
                    Dim.ONE, Dim.WIDTH, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_BIAS, "model/h{layer}/attn/c_proj/b", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_WEIGHT, "model/h{layer}/ln_2/g", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_BIAS, "model/h{layer}/ln_2/b", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_UP_WEIGHT, "model/h{layer}/mlp/c_fc/w", Storage.IN_OUT,
                    Dim.ONE, Dim.WIDTH, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_UP_BIAS, "model/h{layer}/mlp/c_fc/b", Storage.VECTOR, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_DOWN_WEIGHT, "model/h{layer}/mlp/c_proj/w", Storage.IN_OUT,
                    Dim.ONE, Dim.INNER, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_DOWN_BIAS, "model/h{layer}/mlp/c_proj/b", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_WEIGHT, "model/ln_f/g", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_BIAS, "model/ln_f/b", Storage.VECTOR, Dim.WIDTH)),
            List.of());

    /**
     * Hugging Face {@code GPT2LMHeadModel} / {@code GPT2Model}: Conv1D weights [in, out], names with
     * or without {@code transformer.}, {@code lm_head.weight} optional (tied to wte).
     */
    static final WeightTable<Parameter> HUGGING_FACE = new WeightTable<>("Hugging Face", List.of("transformer.", ""),
            List.of(
            new WeightEntry<>(Parameter.TOKEN_EMBEDDING, "{p}wte.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
            new WeightEntry<>(Parameter.POSITION_EMBEDDING, "{p}wpe.weight", Storage.ROWS, Dim.CONTEXT, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_WEIGHT, "{p}h.{layer}.ln_1.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_BIAS, "{p}h.{layer}.ln_1.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_WEIGHT, "{p}h.{layer}.attn.c_attn.weight", Storage.IN_OUT,
                    Dim.WIDTH, Dim.QKV),
            new WeightEntry<>(Parameter.ATTENTION_BIAS, "{p}h.{layer}.attn.c_attn.bias", Storage.VECTOR, Dim.QKV),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_WEIGHT, "{p}h.{layer}.attn.c_proj.weight", Storage.IN_OUT,
                    Dim.WIDTH, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_BIAS, "{p}h.{layer}.attn.c_proj.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_WEIGHT, "{p}h.{layer}.ln_2.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_BIAS, "{p}h.{layer}.ln_2.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_UP_WEIGHT, "{p}h.{layer}.mlp.c_fc.weight", Storage.IN_OUT, Dim.WIDTH, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_UP_BIAS, "{p}h.{layer}.mlp.c_fc.bias", Storage.VECTOR, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_DOWN_WEIGHT, "{p}h.{layer}.mlp.c_proj.weight", Storage.IN_OUT,
                    Dim.INNER, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_DOWN_BIAS, "{p}h.{layer}.mlp.c_proj.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_WEIGHT, "{p}ln_f.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_BIAS, "{p}ln_f.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.TIED_HEAD, "lm_head.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH)),
            // causal-mask buffers older transformers versions saved (the OpenAI-converted hub files have them)
            List.of("{p}h.{layer}.attn.bias", "{p}h.{layer}.attn.masked_bias"));

    /**
     * nanoGPT's {@code GPT}: {@code nn.Linear} weights [out, in], keys perhaps prefixed
     * {@code _orig_mod.} (a {@code torch.compile}d model), {@code lm_head.weight} tied to wte, no
     * biases when {@code bias=False}.
     */
    static final WeightTable<Parameter> NANOGPT = new WeightTable<>("nanoGPT", List.of("", "_orig_mod."), List.of(
            new WeightEntry<>(Parameter.TOKEN_EMBEDDING, "{p}transformer.wte.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH),
            new WeightEntry<>(Parameter.POSITION_EMBEDDING, "{p}transformer.wpe.weight", Storage.ROWS, Dim.CONTEXT, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_WEIGHT, "{p}transformer.h.{layer}.ln_1.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_1_BIAS, "{p}transformer.h.{layer}.ln_1.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_WEIGHT, "{p}transformer.h.{layer}.attn.c_attn.weight", Storage.OUT_IN,
                    Dim.QKV, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_BIAS, "{p}transformer.h.{layer}.attn.c_attn.bias", Storage.VECTOR, Dim.QKV),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_WEIGHT, "{p}transformer.h.{layer}.attn.c_proj.weight", Storage.OUT_IN,
                    Dim.WIDTH, Dim.WIDTH),
            new WeightEntry<>(Parameter.ATTENTION_OUTPUT_BIAS, "{p}transformer.h.{layer}.attn.c_proj.bias", Storage.VECTOR,
                    Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_WEIGHT, "{p}transformer.h.{layer}.ln_2.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.NORM_2_BIAS, "{p}transformer.h.{layer}.ln_2.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_UP_WEIGHT, "{p}transformer.h.{layer}.mlp.c_fc.weight", Storage.OUT_IN,
                    Dim.INNER, Dim.WIDTH),
            new WeightEntry<>(Parameter.MLP_UP_BIAS, "{p}transformer.h.{layer}.mlp.c_fc.bias", Storage.VECTOR, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_DOWN_WEIGHT, "{p}transformer.h.{layer}.mlp.c_proj.weight", Storage.OUT_IN,
                    Dim.WIDTH, Dim.INNER),
            new WeightEntry<>(Parameter.MLP_DOWN_BIAS, "{p}transformer.h.{layer}.mlp.c_proj.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_WEIGHT, "{p}transformer.ln_f.weight", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.FINAL_NORM_BIAS, "{p}transformer.ln_f.bias", Storage.VECTOR, Dim.WIDTH),
            new WeightEntry<>(Parameter.TIED_HEAD, "{p}lm_head.weight", Storage.ROWS, Dim.VOCAB, Dim.WIDTH)),
            // the causal-mask buffer nanoGPT registers when flash attention is unavailable (torch < 2.0)
            List.of("{p}transformer.h.{layer}.attn.bias"));

    /** Which parameters make up a block. */
    static final LayerWeights.Parameters<Parameter> BLOCK = new LayerWeights.Parameters<>(
            Parameter.NORM_1_WEIGHT, Parameter.NORM_1_BIAS, Parameter.ATTENTION_WEIGHT, Parameter.ATTENTION_BIAS,
            Parameter.ATTENTION_OUTPUT_WEIGHT, Parameter.ATTENTION_OUTPUT_BIAS, Parameter.NORM_2_WEIGHT,
            Parameter.NORM_2_BIAS, Parameter.MLP_UP_WEIGHT, Parameter.MLP_UP_BIAS, Parameter.MLP_DOWN_WEIGHT,
            Parameter.MLP_DOWN_BIAS);

    /** The model's parameters, one per entry of a table. */
    enum Parameter implements ModelParameter {
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

        @Override
        public boolean perLayer() {
            return perLayer;
        }

        /** Whether it exists only when the config has biases. */
        boolean isBias() {
            return bias;
        }
    }
}
