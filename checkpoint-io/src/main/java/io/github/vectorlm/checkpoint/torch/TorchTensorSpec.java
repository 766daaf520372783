package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.tensor.DType;
import java.util.Arrays;

/**
 * A tensor as a pickle describes it: a strided view of a storage, in elements of {@code dtype}
 * ({@code storageOffset} too, as PyTorch counts it).
 */
record TorchTensorSpec(TorchStorage storage, DType dtype, long storageOffset, long[] shape, long[] strides) {
    /** The whole of a storage as a 1-D tensor: what a storage pickled on its own reads as. */
    static TorchTensorSpec wholeStorage(TorchStorage storage) {
        return new TorchTensorSpec(storage, storage.dtype(), 0, new long[] {storage.numel()}, new long[] {1});
    }

    /**
     * What is wrong with this view of its storage, or null if every element lies inside it.
     * Sizes are checked as longs with exact arithmetic: a claimed size never wraps around.
     */
    String problem() {
        if (shape.length != strides.length) {
            return "size " + Arrays.toString(shape) + " and stride " + Arrays.toString(strides) + " differ in rank";
        }
        if (storageOffset < 0) {
            return "negative storage offset " + storageOffset;
        }
        try {
            long numel = 1;
            long lastElement = storageOffset;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || strides[i] < 0) {
                    return "negative size or stride in size " + Arrays.toString(shape) + ", stride "
                            + Arrays.toString(strides);
                }
                numel = Math.multiplyExact(numel, shape[i]);
                if (shape[i] > 0) {
                    lastElement = Math.addExact(lastElement, Math.multiplyExact(shape[i] - 1, strides[i]));
                }
            }
            long storageBytes = storage.byteSize();
            long itemSize = dtype.byteSize();
            if (numel == 0) {
                // an empty tensor reads nothing; PyTorch still keeps its offset within the storage
                return Math.multiplyExact(storageOffset, itemSize) <= storageBytes ? null
                        : "empty tensor's storage offset " + storageOffset + " lies past the end of " + storage;
            }
            long endByte = Math.multiplyExact(Math.addExact(lastElement, 1), itemSize);
            if (endByte > storageBytes) {
                return dtype + " size " + Arrays.toString(shape) + ", stride " + Arrays.toString(strides)
                        + " at storage offset " + storageOffset + " reaches element " + lastElement + ", past the end of "
                        + storage + (dtype == storage.dtype() ? "" : " (" + storageBytes + " bytes)");
            }
            return null;
        } catch (ArithmeticException e) {
            return "size " + Arrays.toString(shape) + ", stride " + Arrays.toString(strides) + " at storage offset "
                    + storageOffset + " overflows a 64-bit element count";
        }
    }

    @Override
    public String toString() {
        return "a " + dtype + " tensor of size " + Arrays.toString(shape);
    }

    /** Byte offset of element [0, ...] in the storage's bytes. */
    long byteOffset() {
        return storageOffset * dtype.byteSize();
    }
}
