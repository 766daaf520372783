package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;

/**
 * What a checkpoint says about one tensor, known without reading its data.
 *
 * <p>A block-quantized tensor (a GGUF {@code Q8_0}, {@code Q4_K}…) has a {@link #blockType()};
 * its {@link #dtype()} is then {@link DType#F32}, the type {@link Checkpoint#tensor(String)} gives
 * it (dequantized), while {@link Checkpoint#quantized(String)} gives its blocks in place.
 *
 * @param name the tensor's name: its key, or for nested pickles the path of keys and indices joined by '.'
 * @param dtype the element type as stored, or F32 for a block-quantized tensor
 * @param shape the shape, row-major (the last dimension varies fastest)
 * @param blockType the block type of a block-quantized tensor, else null
 */
public record TensorInfo(String name, DType dtype, Shape shape, BlockType blockType) {
    /**
     * Checks that a block-quantized tensor is F32 and its rows hold whole blocks.
     *
     * @throws IllegalArgumentException if not
     */
    public TensorInfo {
        if (blockType != null && (dtype != DType.F32 || shape.rank() == 0 || shape.dim(-1) % blockType.blockSize() != 0)) {
            throw new IllegalArgumentException("tensor '" + name + "': a " + blockType + " tensor must be F32 with rows of "
                    + "whole blocks of " + blockType.blockSize() + ", not " + dtype + " " + shape);
        }
    }

    /** A tensor of plain elements. */
    public TensorInfo(String name, DType dtype, Shape shape) {
        this(name, dtype, shape, null);
    }

    /** Whether the tensor is stored in blocks of a {@link BlockType}. */
    public boolean isBlockQuantized() {
        return blockType != null;
    }

    /** Bytes of the elements of {@link Checkpoint#tensor(String)}: {@code numel × dtype size}. */
    public long dataBytes() {
        return Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
    }

    /** Bytes the tensor takes in the file: its blocks when block-quantized, else {@link #dataBytes()}. */
    public long storedBytes() {
        return blockType == null ? dataBytes() : blockType.bytesFor(shape.numel());
    }

    /** The stored type's name: the block type's ({@code Q4_K}) or the dtype's ({@code F16}). */
    public String typeName() {
        return blockType == null ? dtype.name() : blockType.name();
    }
}
