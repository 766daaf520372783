package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.Batch;

/** A {@link Batch} of a {@link DecoderModel}, with the model's workspace for its positions. */
final class DecoderBatch extends Batch {
    private final DecoderModel model;
    private final DecoderStep step;
    private int[] order = new int[8];

    DecoderBatch(DecoderModel model, DecoderStep step, int maxRows) {
        super(maxRows);
        this.model = model;
        this.step = step;
    }

    boolean belongsTo(DecoderModel m) {
        return model == m;
    }

    DecoderStep step() {
        return step;
    }

    /** A buffer for the entries' order in the step, at least {@link #size()} long. */
    int[] order() {
        if (order.length < size()) {
            order = new int[Math.max(size(), 2 * order.length)];
        }
        return order;
    }
}
