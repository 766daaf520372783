package io.github.vectorlm.decoder;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of a {@link WeightTable}: which parameter a checkpoint name holds, how it is stored and
 * its stored shape.
 *
 * <p>Templates hold two placeholders: {@code {p}}, the name prefix the checkpoint turned out to use
 * (one of {@link WeightTable#prefixes()}), and {@code {layer}}, the layer's index. An entry may list
 * several templates when files differ in one name (NeoX's head is {@code embed_out.weight} in
 * transformers 4 files, {@code lm_head.weight} in transformers 5's): a checkpoint holds one of them.
 *
 * @param <P> the model's parameter enum
 * @param parameter what the tensor is
 * @param templates its name or names
 * @param storage its orientation
 * @param shape its stored shape; leading {@link Dim#ONE}s are dropped from the model's view
 */
public record WeightEntry<P extends Enum<P> & ModelParameter>(P parameter, List<String> templates, Storage storage,
        List<Dim> shape) {
    /** Copies the lists. */
    public WeightEntry {
        templates = List.copyOf(templates);
        shape = List.copyOf(shape);
        if (templates.isEmpty()) {
            throw new IllegalArgumentException(parameter + " has no name");
        }
    }

    /**
     * An entry with one name.
     *
     * @param parameter what the tensor is
     * @param template its name
     * @param storage its orientation
     * @param shape its stored shape
     */
    public WeightEntry(P parameter, String template, Storage storage, Dim... shape) {
        this(parameter, List.of(template), storage, List.of(shape));
    }

    /**
     * The stored shape a model of {@code model}'s sizes expects.
     *
     * @param model the model's sizes
     * @return the dimensions
     */
    public long[] expectedShape(DecoderShape model) {
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).size(model);
        }
        return dims;
    }

    /**
     * How many leading 1s the stored shape has beyond the model's 1-D or 2-D view.
     *
     * @return the count
     */
    public int leadingOnes() {
        int n = 0;
        while (n < shape.size() && shape.get(n) == Dim.ONE) {
            n++;
        }
        return n;
    }

    /**
     * The checkpoint names this entry may take.
     *
     * @param prefix the value of {@code {p}}
     * @param layer the value of {@code {layer}} (ignored by model-wide templates)
     * @return one name per template
     */
    public List<String> names(String prefix, int layer) {
        List<String> out = new ArrayList<>(templates.size());
        for (String t : templates) {
            out.add(t.replace("{p}", prefix).replace("{layer}", Integer.toString(layer)));
        }
        return out;
    }
}
