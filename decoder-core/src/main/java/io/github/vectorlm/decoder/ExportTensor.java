package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;

/**
 * One tensor of a model being exported, under its Hugging Face name, described before it is read.
 *
 * @param name the Hugging Face state-dict name, e.g. {@code transformer.h.0.attn.c_attn.weight}
 * @param dtype its element type as the source stores it (F32, F16 or BF16)
 * @param shape its shape in the Hugging Face layout
 * @param opener gives the tensor when it is written: a view, possibly strided (a transposed matrix)
 */
public record ExportTensor(String name, DType dtype, Shape shape, Opener opener) {
    /** Gives the tensor's values. */
    @FunctionalInterface
    public interface Opener {
        /**
         * The tensor, of the record's dtype and shape; valid until the next tensor is opened.
         *
         * @return the tensor
         * @throws IOException if it cannot be read
         */
        Tensor open() throws IOException;
    }

    /**
     * Opens the tensor and checks it against the description.
     *
     * @return the tensor
     * @throws IOException if it cannot be read
     */
    public Tensor open() throws IOException {
        Tensor t = opener.open();
        if (t.dtype() != dtype || !t.shape().equals(shape)) {
            throw new IllegalStateException(name + ": opened " + t + ", described as " + dtype + " " + shape);
        }
        return t;
    }
}
