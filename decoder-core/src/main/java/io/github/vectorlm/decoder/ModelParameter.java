package io.github.vectorlm.decoder;

/**
 * What a model's parameter enum tells a {@link WeightTable}: whether each transformer layer has
 * one, or the whole model has one.
 */
public interface ModelParameter {
    /**
     * Whether each layer has its own copy of this parameter.
     *
     * @return true for per-layer parameters, false for model-wide ones (embeddings, the final norm)
     */
    boolean perLayer();
}
