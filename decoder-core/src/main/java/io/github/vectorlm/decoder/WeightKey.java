package io.github.vectorlm.decoder;

/**
 * One tensor a model needs: a parameter of one layer, or a model-wide parameter ({@code layer} -1).
 *
 * @param <P> the model's parameter enum
 * @param parameter which parameter
 * @param layer the layer, or -1 for a model-wide parameter
 */
public record WeightKey<P extends Enum<P> & ModelParameter>(P parameter, int layer) {
    /**
     * The key of {@code parameter} in {@code layer}; the layer is dropped (-1) for model-wide
     * parameters, so that any layer number finds them.
     *
     * @param <P> the model's parameter enum
     * @param parameter which parameter
     * @param layer the layer (ignored for model-wide parameters)
     * @return the key
     */
    public static <P extends Enum<P> & ModelParameter> WeightKey<P> of(P parameter, int layer) {
        return new WeightKey<>(parameter, parameter.perLayer() ? layer : -1);
    }
}
