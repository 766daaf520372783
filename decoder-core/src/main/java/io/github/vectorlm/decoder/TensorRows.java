package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A F32, F16 or BF16 tensor read as rows of floats: its last dimension is a row, the others are
 * flattened in row-major order. The tensor may be a strided view (a transposed matrix, a permuted
 * reshape): rows whose elements are adjacent are read in bulk, others element by element.
 */
final class TensorRows {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Tensor tensor;
    private final int rowLength;
    private final long rows;
    private final long[] leading;
    private final short[] halfs;
    /** For a transposed matrix: {@value #ROW_GROUP} rows gathered at once, column by column in runs. */
    private final float[][] block;
    private final float[] run;
    private long blockStart = -1;
    /** Rows of a transposed matrix gathered at once: a reader should be given whole groups. */
    static final int ROW_GROUP = 16;

    TensorRows(Tensor tensor) {
        DType d = tensor.dtype();
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException("cannot export a tensor of " + d + ": " + tensor);
        }
        this.tensor = tensor;
        long length = tensor.rank() == 0 ? 1 : tensor.dim(-1);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("rows of " + length + " values are too long: " + tensor);
        }
        this.rowLength = (int) length;
        this.rows = tensor.numel() / Math.max(1, rowLength);
        this.leading = new long[Math.max(0, tensor.rank() - 1)];
        this.halfs = d == DType.F32 ? null : new short[Math.max(rowLength, ROW_GROUP)];
        boolean transposed = tensor.rank() == 2 && tensor.stride(1) != 1 && tensor.stride(0) == 1;
        this.block = transposed ? new float[ROW_GROUP][rowLength] : null;
        this.run = transposed ? new float[ROW_GROUP] : null;
    }

    int rowLength() {
        return rowLength;
    }

    long rows() {
        return rows;
    }

    /** Byte address of row {@code row}'s first element. */
    private long rowAddress(long row) {
        long rest = row;
        long address = tensor.byteOffset();
        int size = tensor.dtype().byteSize();
        for (int a = leading.length - 1; a >= 0; a--) {
            long d = tensor.dim(a);
            address += (rest % d) * tensor.stride(a) * size;
            rest /= d;
        }
        return address;
    }

    /** Reads row {@code row} into {@code out[0 … rowLength)}. */
    void read(long row, float[] out) {
        MemorySegment s = tensor.segment();
        long address = rowAddress(row);
        int size = tensor.dtype().byteSize();
        long step = (tensor.rank() == 0 ? 1 : tensor.stride(-1)) * size;
        DType d = tensor.dtype();
        if (block != null) {
            readTransposed(row, out);
            return;
        }
        if (step == size) {
            if (d == DType.F32) {
                MemorySegment.copy(s, F32_LE, address, out, 0, rowLength);
                return;
            }
            MemorySegment.copy(s, I16_LE, address, halfs, 0, rowLength);
            if (d == DType.F16) {
                for (int i = 0; i < rowLength; i++) {
                    out[i] = Float.float16ToFloat(halfs[i]);
                }
            } else {
                for (int i = 0; i < rowLength; i++) {
                    out[i] = Float.intBitsToFloat(halfs[i] << 16);
                }
            }
            return;
        }
        for (int i = 0; i < rowLength; i++, address += step) {
            out[i] = switch (d) {
                case F32 -> s.get(F32_LE, address);
                case F16 -> Float.float16ToFloat(s.get(I16_LE, address));
                default -> Float.intBitsToFloat(s.get(I16_LE, address) << 16);
            };
        }
    }

    /**
     * A row of a transposed matrix (its elements a column of the stored one): the block of
     * {@value #ROW_GROUP} rows holding it is gathered first, reading the stored rows' runs of adjacent
     * elements in bulk instead of one strided element at a time.
     */
    private void readTransposed(long row, float[] out) {
        long start = row / ROW_GROUP * ROW_GROUP;
        if (start != blockStart) {
            int count = (int) Math.min(ROW_GROUP, rows - start);
            MemorySegment s = tensor.segment();
            DType d = tensor.dtype();
            int size = d.byteSize();
            long columnStep = tensor.stride(1) * size;
            long address = tensor.byteOffset() + start * size;
            for (int i = 0; i < rowLength; i++, address += columnStep) {
                if (d == DType.F32) {
                    MemorySegment.copy(s, F32_LE, address, run, 0, count);
                } else {
                    MemorySegment.copy(s, I16_LE, address, halfs, 0, count);
                    for (int k = 0; k < count; k++) {
                        run[k] = d == DType.F16 ? Float.float16ToFloat(halfs[k]) : Float.intBitsToFloat(halfs[k] << 16);
                    }
                }
                for (int k = 0; k < count; k++) {
                    block[k][i] = run[k];
                }
            }
            blockStart = start;
        }
        System.arraycopy(block[(int) (row - start)], 0, out, 0, rowLength);
    }

    /** Whether row {@code row}'s bytes lie side by side, so that {@link #rowBytes} can give them. */
    boolean rowsAdjacent() {
        return tensor.rank() == 0 || tensor.stride(-1) == 1;
    }

    /** Row {@code row}'s bytes as stored (only when {@link #rowsAdjacent()}). */
    MemorySegment rowBytes(long row) {
        return tensor.segment().asSlice(rowAddress(row), (long) rowLength * tensor.dtype().byteSize());
    }

    /**
     * A contiguous copy of {@code t} in {@code target}, allocated in {@code arena}: values as they
     * are when the type stays, else converted as PyTorch's {@code .to(dtype)} converts (to nearest
     * even). A contiguous tensor already of {@code target} is returned as is.
     */
    static Tensor materialize(Tensor t, DType target, Arena arena) {
        if (t.dtype() == target && t.isContiguous()) {
            return t;
        }
        TensorRows rows = new TensorRows(t);
        Tensor out = Tensor.allocate(arena, target, t.shape().toArray());
        MemorySegment dst = out.segment();
        int n = rows.rowLength();
        long rowBytes = (long) n * target.byteSize();
        float[] buffer = new float[n];
        for (long r = 0; r < rows.rows(); r++) {
            long at = r * rowBytes;
            if (t.dtype() == target && rows.rowsAdjacent()) {
                MemorySegment.copy(rows.rowBytes(r), 0, dst, at, rowBytes);
                continue;
            }
            rows.read(r, buffer);
            encode(buffer, n, target, dst, at);
        }
        return out;
    }

    /** Writes {@code values[0 … n)} as {@code target} at {@code dst[at …]}. */
    static void encode(float[] values, int n, DType target, MemorySegment dst, long at) {
        switch (target) {
            case F32 -> MemorySegment.copy(values, 0, dst, F32_LE, at, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(I16_LE, at + 2L * i, Float.floatToFloat16(values[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(I16_LE, at + 2L * i, DType.f32ToBf16(values[i]));
                }
            }
            default -> throw new IllegalArgumentException("cannot write " + target);
        }
    }
}
