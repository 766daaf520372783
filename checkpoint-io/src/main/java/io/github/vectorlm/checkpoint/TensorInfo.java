package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;

/**
 * What a checkpoint says about one tensor, known without reading its data.
 *
 * @param name the tensor's name: its key, or for nested pickles the path of keys and indices joined by '.'
 * @param dtype the element type as stored
 * @param shape the shape
 */
public record TensorInfo(String name, DType dtype, Shape shape) {
    /** Bytes of the elements: {@code numel × element size}. */
    public long dataBytes() {
        return Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
    }
}
