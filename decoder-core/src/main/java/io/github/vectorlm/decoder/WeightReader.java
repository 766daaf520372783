package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Reads checked weights as the model's views: a table says how each parameter is stored, a lookup
 * gives its tensor. Vectors and tables come as stored (leading 1s dropped, no copy); matrices as
 * {@link Linear}s in their stored orientation. Only a tensor stored as a strided view (a transposed
 * tensor saved as such) is copied, since the kernels read contiguous rows.
 *
 * @param <P> the model's parameter enum
 */
public final class WeightReader<P extends Enum<P> & ModelParameter> {
    /** Gives a parameter's tensor. */
    @FunctionalInterface
    public interface Lookup<P extends Enum<P> & ModelParameter> {
        /**
         * The tensor of {@code key}.
         *
         * @param key the parameter and layer
         * @return its tensor, or null if the checkpoint has none (a bias the config drops)
         * @throws IOException if it cannot be read
         */
        Tensor find(WeightKey<P> key) throws IOException;
    }

    private final WeightTable<P> table;
    private final Lookup<P> lookup;

    /**
     * A reader of {@code lookup}'s tensors, stored as {@code table} says.
     *
     * @param table the layout the tensors are stored in
     * @param lookup gives each parameter's tensor
     */
    public WeightReader(WeightTable<P> table, Lookup<P> lookup) {
        this.table = Objects.requireNonNull(table, "table");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /**
     * A reader of the tensors {@link WeightTable#check} found in {@code state}.
     *
     * @param <P> the model's parameter enum
     * @param table the table they were checked against
     * @param state the checkpoint
     * @param names what the check returned
     * @return the reader
     */
    public static <P extends Enum<P> & ModelParameter> WeightReader<P> of(WeightTable<P> table, StateDict state,
            Map<WeightKey<P>, String> names) {
        return new WeightReader<>(table, key -> {
            String name = names.get(key);
            return name == null ? null : state.tensor(name);
        });
    }

    /**
     * A required tensor.
     *
     * @param parameter which
     * @param layer its layer (ignored for model-wide parameters)
     * @return the tensor, leading 1s dropped
     * @throws IOException if it cannot be read
     * @throws IllegalStateException if it is absent (the check should have said so)
     */
    public Tensor tensor(P parameter, int layer) throws IOException {
        Tensor t = optional(parameter, layer);
        if (t == null) {
            throw new IllegalStateException(table.description() + ": no " + parameter + " for layer " + layer);
        }
        return t;
    }

    /**
     * A tensor the config may drop.
     *
     * @param parameter which
     * @param layer its layer (ignored for model-wide parameters)
     * @return the tensor, leading 1s dropped, or null if absent
     * @throws IOException if it cannot be read
     */
    public Tensor optional(P parameter, int layer) throws IOException {
        Tensor t = lookup.find(WeightKey.of(parameter, layer));
        if (t == null) {
            return null;
        }
        for (int i = table.entry(parameter).leadingOnes(); i > 0 && t.rank() > 1; i--) {
            t = t.slice(0, 0); // OpenAI's [1, in, out] conv weight seen as [in, out], no copy
        }
        return t.contiguous();
    }

    /**
     * A linear layer: its weight in the stored orientation and its bias, if any.
     *
     * @param weight the weight parameter (stored {@link Storage#IN_OUT} or {@link Storage#OUT_IN})
     * @param bias the bias parameter, or null for a layer without one
     * @param layer the layer
     * @return the layer
     * @throws IOException if a tensor cannot be read
     */
    public Linear linear(P weight, P bias, int layer) throws IOException {
        Tensor w = tensor(weight, layer);
        Tensor b = bias == null ? null : optional(bias, layer);
        return switch (table.entry(weight).storage()) {
            case IN_OUT -> Linear.inOut(w, b);
            case OUT_IN -> Linear.outIn(w, b);
            default -> throw new IllegalStateException(weight + " is no matrix in the " + table.description()
                    + " table");
        };
    }
}
