package io.github.vectorlm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A block-quantized tensor ({@link BlockType}) viewed where its blocks lie: a heap or arena
 * allocation, or a region of a memory-mapped file. It holds metadata only, like {@link Tensor}.
 *
 * <p>The shape is row-major, as everywhere in this library: the last dimension is the row, the
 * fastest-varying one, and must be a whole number of blocks. Rows follow each other with no gap,
 * so the row {@code r} (counting over all leading dimensions) starts at
 * {@code byteOffset() + r × rowBytes()} and its {@code blocksPerRow()} blocks lie side by side.
 * There are no strides: a quantized matrix is always stored in this one layout, the one ggml
 * and GGUF use (a GGUF [n_out, n_in] weight has rows of n_in values).
 *
 * <pre>{@code
 * QuantizedTensor w = checkpoint.quantized("blk.0.attn_qkv.weight");   // Q8_0 [2304, 768]
 * float[] row = new float[(int) w.rowLength()];
 * w.dequantizeRow(5, row, 0);
 * }</pre>
 */
public final class QuantizedTensor {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final BlockType type;
    private final Shape shape;
    private final MemorySegment segment;
    private final long byteOffset;
    private final long rows;
    private final long rowBytes;

    private QuantizedTensor(BlockType type, Shape shape, MemorySegment segment, long byteOffset, long rows, long rowBytes) {
        this.type = type;
        this.shape = shape;
        this.segment = segment;
        this.byteOffset = byteOffset;
        this.rows = rows;
        this.rowBytes = rowBytes;
    }

    /**
     * The tensor of {@code shape} whose blocks start {@code byteOffset} bytes into {@code segment}.
     *
     * @throws IllegalArgumentException if the shape has rank 0, its last dimension is not a multiple
     *     of the block size, or the blocks do not lie inside the segment
     */
    public static QuantizedTensor of(BlockType type, Shape shape, MemorySegment segment, long byteOffset) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(segment, "segment");
        if (shape.rank() == 0) {
            throw new IllegalArgumentException("a " + type + " tensor needs at least one dimension (its rows)");
        }
        long rowLength = shape.dim(-1);
        if (rowLength % type.blockSize() != 0) {
            throw new IllegalArgumentException("rows of " + rowLength + " values are not a whole number of " + type
                    + " blocks of " + type.blockSize() + " (shape " + shape + ")");
        }
        long rowBytes = type.bytesFor(rowLength);
        long rows = 1;
        for (int i = 0; i < shape.rank() - 1; i++) {
            rows = Math.multiplyExact(rows, shape.dim(i));
        }
        long bytes = Math.multiplyExact(rows, rowBytes);
        if (byteOffset < 0 || byteOffset > segment.byteSize() - bytes) {
            throw new IllegalArgumentException(type + " tensor " + shape + " of " + bytes + " bytes at byte offset "
                    + byteOffset + " does not lie inside a segment of " + segment.byteSize() + " bytes");
        }
        return new QuantizedTensor(type, shape, segment, byteOffset, rows, rowBytes);
    }

    /** The block type. */
    public BlockType type() {
        return type;
    }

    /** The logical shape, row-major: the last dimension is the row. */
    public Shape shape() {
        return shape;
    }

    /** Number of values. */
    public long numel() {
        return shape.numel();
    }

    /** The whole underlying segment (the tensor may view only part of it). */
    public MemorySegment segment() {
        return segment;
    }

    /** Byte offset of the first block within {@link #segment()}. */
    public long byteOffset() {
        return byteOffset;
    }

    /** Bytes of the blocks: {@code rows() × rowBytes()}. */
    public long dataBytes() {
        return rows * rowBytes;
    }

    /** The blocks themselves, as a slice of the segment. */
    public MemorySegment data() {
        return segment.asSlice(byteOffset, dataBytes());
    }

    /** Number of rows: the product of all dimensions but the last. */
    public long rows() {
        return rows;
    }

    /** Values per row: the last dimension. */
    public long rowLength() {
        return shape.dim(-1);
    }

    /** Blocks per row. */
    public long blocksPerRow() {
        return shape.dim(-1) / type.blockSize();
    }

    /** Bytes per row: {@code blocksPerRow() × type().blockBytes()}. */
    public long rowBytes() {
        return rowBytes;
    }

    /** Byte offset in {@link #segment()} of row {@code row}'s first block. */
    public long rowOffset(long row) {
        Objects.checkIndex(row, rows);
        return byteOffset + row * rowBytes;
    }

    /**
     * Dequantizes row {@code row} into {@code out[outOffset …]} ({@link #rowLength()} values).
     *
     * @throws UnsupportedOperationException if the type cannot be dequantized
     */
    public void dequantizeRow(long row, float[] out, int outOffset) {
        long length = rowLength();
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("rows of " + length + " values do not fit a Java array");
        }
        type.dequantize(segment, rowOffset(row), (int) length, out, outOffset);
    }

    /**
     * A contiguous F32 tensor of the same shape holding the dequantized values, allocated in
     * {@code arena}.
     *
     * @throws UnsupportedOperationException if the type cannot be dequantized
     */
    public Tensor dequantize(Arena arena) {
        if (!type.canDequantize()) {
            throw new UnsupportedOperationException(type + " blocks are not dequantized by this library");
        }
        Tensor out = Tensor.allocate(arena, DType.F32, shape.toArray());
        MemorySegment target = out.segment();
        float[] block = new float[type.blockSize()];
        long blocks = numel() / type.blockSize();
        long at = byteOffset;
        for (long i = 0; i < blocks; i++) {
            type.dequantizeBlock(segment, at, block, 0);
            MemorySegment.copy(block, 0, target, F32_LE, i * 4L * block.length, block.length);
            at += type.blockBytes();
        }
        return out;
    }

    /** All values in row-major order, dequantized. */
    public float[] toFloatArray() {
        if (numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor " + this + " has too many values for a Java array");
        }
        float[] out = new float[(int) numel()];
        type.dequantize(segment, byteOffset, out.length, out, 0);
        return out;
    }

    /** Formats as {@code QuantizedTensor[Q8_0 [2304, 768]]}. */
    @Override
    public String toString() {
        return "QuantizedTensor[" + type + " " + shape + "]";
    }
}
