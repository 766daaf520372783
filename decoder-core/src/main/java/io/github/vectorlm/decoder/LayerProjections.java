package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.ops.Linear;
import java.util.function.Function;

/**
 * A layer's four matrices as the forward pass runs them ({@link Projection}s: as stored, int8 or
 * block-quantized), beside the layer's weights.
 *
 * @param weights the layer's parameters as stored (norms, biases)
 * @param attention the fused q/k/v projection
 * @param attentionOutput attention's output projection
 * @param mlpUp the MLP's first matrix
 * @param mlpDown the MLP's second matrix
 */
public record LayerProjections(LayerWeights weights, Projection attention, Projection attentionOutput,
        Projection mlpUp, Projection mlpDown) {

    /**
     * The layer's matrices through {@code projections}, in the order attention, attention output,
     * MLP up, MLP down.
     *
     * @param weights the layer
     * @param projections makes each matrix's projection
     * @return the projections
     */
    public static LayerProjections of(LayerWeights weights, Function<Linear, Projection> projections) {
        return new LayerProjections(weights, projections.apply(weights.attention()),
                projections.apply(weights.attentionOutput()), projections.apply(weights.mlpUp()),
                projections.apply(weights.mlpDown()));
    }
}
