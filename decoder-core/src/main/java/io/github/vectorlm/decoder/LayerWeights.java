package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;

/**
 * One pre-LN transformer layer's parameters, as GPT-2 and GPT-NeoX both have them: two LayerNorms,
 * the fused query/key/value projection and attention's output projection, the MLP's two matrices.
 * Views of the checkpoint (or of merged copies), in their stored orientation; a bias is null where
 * the config drops it. How the layer combines them (sequential or parallel residual, how q, k and v
 * are interleaved) is the model's.
 *
 * @param index the layer's position among the model's layers
 * @param norm1Weight the LayerNorm before attention (GPT-2 ln_1, NeoX input_layernorm)
 * @param norm1Bias its bias
 * @param attention the fused q/k/v projection width → 3·width
 * @param attentionOutput attention's output projection width → width
 * @param norm2Weight the LayerNorm before the MLP (GPT-2 ln_2, NeoX post_attention_layernorm)
 * @param norm2Bias its bias
 * @param mlpUp the MLP's first matrix width → inner
 * @param mlpDown the MLP's second matrix inner → width
 */
public record LayerWeights(int index, Tensor norm1Weight, Tensor norm1Bias, Linear attention, Linear attentionOutput,
        Tensor norm2Weight, Tensor norm2Bias, Linear mlpUp, Linear mlpDown) {

    /**
     * Which of a model's parameters fill each part of a {@link LayerWeights}.
     *
     * @param <P> the model's parameter enum
     * @param norm1Weight the first LayerNorm's weight
     * @param norm1Bias its bias
     * @param attentionWeight the q/k/v projection's weight
     * @param attentionBias its bias
     * @param attentionOutputWeight the output projection's weight
     * @param attentionOutputBias its bias
     * @param norm2Weight the second LayerNorm's weight
     * @param norm2Bias its bias
     * @param mlpUpWeight the MLP's first weight
     * @param mlpUpBias its bias
     * @param mlpDownWeight the MLP's second weight
     * @param mlpDownBias its bias
     */
    public record Parameters<P extends Enum<P> & ModelParameter>(P norm1Weight, P norm1Bias, P attentionWeight,
            P attentionBias, P attentionOutputWeight, P attentionOutputBias, P norm2Weight, P norm2Bias,
            P mlpUpWeight, P mlpUpBias, P mlpDownWeight, P mlpDownBias) {

        /**
         * Reads layer {@code layer} through {@code r}; biases the checkpoint lacks (the table's check
         * decided they may be absent) are null.
         *
         * @param r the reader
         * @param layer the layer
         * @return its weights
         * @throws java.io.IOException if a tensor cannot be read
         */
        public LayerWeights read(WeightReader<P> r, int layer) throws java.io.IOException {
            return new LayerWeights(layer,
                    r.tensor(norm1Weight, layer), r.optional(norm1Bias, layer),
                    r.linear(attentionWeight, attentionBias, layer),
                    r.linear(attentionOutputWeight, attentionOutputBias, layer),
                    r.tensor(norm2Weight, layer), r.optional(norm2Bias, layer),
                    r.linear(mlpUpWeight, mlpUpBias, layer),
                    r.linear(mlpDownWeight, mlpDownBias, layer));
        }
    }
}
