package io.github.vectorlm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A typed, shaped, strided view over a {@link MemorySegment}: a heap or arena allocation, or a
 * region of a read-only memory-mapped file. A tensor holds metadata only; math lives in the op
 * classes of {@code io.github.vectorlm.tensor.ops}.
 *
 * <p>Strides are counted in elements, as PyTorch counts them; {@link #byteOffset()} is where
 * element {@code [0, 0, ...]} lies in the segment. Every view is bounds-checked when it is made,
 * so reading any element of a tensor never goes outside its segment. A tensor over a mapped file
 * is valid until the file's owner is closed.
 *
 * <pre>{@code
 * Tensor w = Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * Tensor wt = w.transpose(0, 1);      // [3, 2], no copy
 * float x = wt.getFloat(2, 1);        // 6.0
 * }</pre>
 */
public final class Tensor {
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final MemorySegment segment;
    private final long byteOffset;

    private Tensor(DType dtype, Shape shape, long[] strides, MemorySegment segment, long byteOffset) {
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.segment = segment;
        this.byteOffset = byteOffset;
    }

    /**
     * A row-major contiguous view of {@code shape} starting {@code byteOffset} bytes into
     * {@code segment}.
     *
     * @throws IllegalArgumentException if the elements do not lie inside the segment
     */
    public static Tensor of(DType dtype, Shape shape, MemorySegment segment, long byteOffset) {
        return of(dtype, shape, shape.contiguousStrides(), segment, byteOffset);
    }

    /**
     * A strided view: element {@code [i0, i1, ...]} lies at
     * {@code byteOffset + (i0*strides[0] + i1*strides[1] + ...) * dtype.byteSize()}.
     *
     * @throws IllegalArgumentException if a stride is negative, the stride count differs from the
     *     rank, or any element would lie outside the segment
     */
    public static Tensor of(DType dtype, Shape shape, long[] strides, MemorySegment segment, long byteOffset) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(segment, "segment");
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException(
                    "strides " + Arrays.toString(strides) + " do not match shape " + shape);
        }
        long[] ownStrides = strides.clone();
        checkBounds(dtype, shape, ownStrides, segment.byteSize(), byteOffset);
        return new Tensor(dtype, shape, ownStrides, segment, byteOffset);
    }

    /** A zero-filled contiguous tensor allocated in {@code arena}, 64-byte aligned. */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        Shape s = Shape.of(shape);
        long bytes = Math.multiplyExact(s.numel(), (long) dtype.byteSize());
        MemorySegment segment = arena.allocate(Math.max(bytes, 1), 64);
        return of(dtype, s, segment, 0);
    }

    /** A contiguous F32 tensor holding a copy of {@code values}, in memory the GC reclaims. */
    public static Tensor fromFloats(float[] values, long... shape) {
        return fromFloats(DType.F32, values, shape);
    }

    /**
     * A contiguous tensor of {@code dtype} holding {@code values} converted as PyTorch's
     * {@code .to(dtype)} would (F32, F16, BF16 or F64), in memory the GC reclaims.
     */
    public static Tensor fromFloats(DType dtype, float[] values, long... shape) {
        Shape s = Shape.of(shape);
        if (s.numel() != values.length) {
            throw new IllegalArgumentException(
                    values.length + " values do not fill shape " + s + " (" + s.numel() + " elements)");
        }
        Tensor t = allocate(Arena.ofAuto(), dtype, shape);
        MemorySegment m = t.segment;
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> m.setAtIndex(F32_LE, i, values[i]);
                case F16 -> m.setAtIndex(I16_LE, i, DType.f32ToF16(values[i]));
                case BF16 -> m.setAtIndex(I16_LE, i, DType.f32ToBf16(values[i]));
                case F64 -> m.setAtIndex(F64_LE, i, values[i]);
                default -> throw new IllegalArgumentException("fromFloats cannot make a " + dtype + " tensor");
            }
        }
        return t;
    }

    private static void checkBounds(DType dtype, Shape shape, long[] strides, long segmentBytes, long byteOffset) {
        if (byteOffset < 0) {
            throw new IllegalArgumentException("negative byte offset " + byteOffset);
        }
        long lastElement = 0;
        for (int i = 0; i < strides.length; i++) {
            if (strides[i] < 0) {
                throw new IllegalArgumentException("negative stride in " + Arrays.toString(strides));
            }
            if (shape.dim(i) == 0) {
                return; // an empty tensor touches no memory
            }
            lastElement = Math.addExact(lastElement, Math.multiplyExact(shape.dim(i) - 1, strides[i]));
        }
        long end = Math.addExact(byteOffset,
                Math.multiplyExact(Math.addExact(lastElement, 1), (long) dtype.byteSize()));
        if (end > segmentBytes) {
            throw new IllegalArgumentException("tensor " + dtype + shape + " with strides " + Arrays.toString(strides)
                    + " at byte offset " + byteOffset + " needs " + end + " bytes but the segment has "
                    + segmentBytes);
        }
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.rank();
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public long dim(int axis) {
        return shape.dim(axis);
    }

    /** Number of elements. */
    public long numel() {
        return shape.numel();
    }

    /** The strides, in elements, as a fresh array. */
    public long[] strides() {
        return strides.clone();
    }

    /** Stride of dimension {@code axis} in elements; negative axes count from the end. */
    public long stride(int axis) {
        return strides[shape.normalizeAxis(axis)];
    }

    /** The whole underlying segment (the tensor may view only part of it). */
    public MemorySegment segment() {
        return segment;
    }

    /** Byte offset of the first element within {@link #segment()}. */
    public long byteOffset() {
        return byteOffset;
    }

    /** Bytes of the elements themselves: {@code numel() * dtype().byteSize()}. */
    public long dataBytes() {
        return numel() * dtype.byteSize();
    }

    /** Whether the elements lie in row-major order with no gaps. Dimensions of size 1 may have any stride. */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = strides.length - 1; i >= 0; i--) {
            long d = shape.dim(i);
            if (d == 0) {
                return true;
            }
            if (d != 1 && strides[i] != expected) {
                return false;
            }
            expected *= d;
        }
        return true;
    }

    /**
     * The exact bytes of a contiguous tensor, as a slice of its segment.
     *
     * @throws IllegalStateException if the tensor is not contiguous
     */
    public MemorySegment contiguousData() {
        if (!isContiguous()) {
            throw new IllegalStateException("tensor " + this + " is not contiguous");
        }
        return segment.asSlice(byteOffset, dataBytes());
    }

    /** The sub-tensor at {@code index} along {@code axis}, one rank lower. */
    public Tensor slice(int axis, long index) {
        int a = shape.normalizeAxis(axis);
        long d = shape.dim(a);
        if (index < 0 || index >= d) {
            throw new IllegalArgumentException("index " + index + " out of range for axis " + a + " of shape " + shape);
        }
        long[] dims = shape.toArray();
        long[] newDims = new long[dims.length - 1];
        long[] newStrides = new long[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != a) {
                newDims[j] = dims[i];
                newStrides[j++] = strides[i];
            }
        }
        return of(dtype, Shape.of(newDims), newStrides, segment,
                byteOffset + index * strides[a] * dtype.byteSize());
    }

    /** The elements {@code [start, start + length)} along {@code axis}; same rank. */
    public Tensor narrow(int axis, long start, long length) {
        int a = shape.normalizeAxis(axis);
        long d = shape.dim(a);
        if (start < 0 || length < 0 || start > d - length) {
            throw new IllegalArgumentException("narrow(" + a + ", " + start + ", " + length + ") out of range for shape " + shape);
        }
        long[] dims = shape.toArray();
        dims[a] = length;
        return of(dtype, Shape.of(dims), strides, segment, byteOffset + start * strides[a] * dtype.byteSize());
    }

    /**
     * The same elements under another shape. The tensor must be contiguous; one dimension may be
     * {@code -1} and is then inferred.
     */
    public Tensor reshape(long... newShape) {
        if (!isContiguous()) {
            throw new IllegalArgumentException("cannot reshape non-contiguous tensor " + this + "; call contiguous() first");
        }
        long[] dims = newShape.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1 && inferred < 0) {
                inferred = i;
            } else {
                if (dims[i] < 0) {
                    throw new IllegalArgumentException("bad dimension in reshape " + Arrays.toString(newShape));
                }
                known = Math.multiplyExact(known, dims[i]);
            }
        }
        if (inferred >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + shape + " to " + Arrays.toString(newShape));
            }
            dims[inferred] = numel() / known;
        }
        Shape s = Shape.of(dims);
        if (s.numel() != numel()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + numel() + " elements) to " + s);
        }
        return of(dtype, s, segment, byteOffset);
    }

    /** Swaps two axes by swapping their strides; no data moves. */
    public Tensor transpose(int axisA, int axisB) {
        int a = shape.normalizeAxis(axisA);
        int b = shape.normalizeAxis(axisB);
        long[] dims = shape.toArray();
        long[] newStrides = strides.clone();
        long t = dims[a];
        dims[a] = dims[b];
        dims[b] = t;
        t = newStrides[a];
        newStrides[a] = newStrides[b];
        newStrides[b] = t;
        return of(dtype, Shape.of(dims), newStrides, segment, byteOffset);
    }

    /** A row-major copy in memory the GC reclaims, or this tensor if it is already contiguous. */
    public Tensor contiguous() {
        return isContiguous() ? this : copyTo(Arena.ofAuto());
    }

    /** A row-major copy of the elements, allocated in {@code arena}. */
    public Tensor copyTo(Arena arena) {
        Tensor out = allocate(arena, dtype, shape.toArray());
        long n = numel();
        int size = dtype.byteSize();
        if (isContiguous()) {
            MemorySegment.copy(segment, byteOffset, out.segment, 0, n * size);
            return out;
        }
        long[] index = new long[rank()];
        for (long i = 0; i < n; i++) {
            MemorySegment.copy(segment, addressOf(index), out.segment, i * size, size);
            increment(index);
        }
        return out;
    }

    /**
     * A row-major copy with every element converted to {@code target} as PyTorch's
     * {@code .to(dtype)} converts (F16 and BF16 rounded to nearest even), allocated in
     * {@code arena}.
     *
     * @throws IllegalArgumentException unless both types are F32, F16 or BF16
     */
    public Tensor convertTo(DType target, Arena arena) {
        if (!isFloat(dtype) || !isFloat(target)) {
            throw new IllegalArgumentException("cannot convert " + this + " to " + target + ": only F32, F16 and BF16 convert");
        }
        Tensor source = contiguous();
        Tensor out = allocate(arena, target, shape.toArray());
        long n = numel();
        for (long i = 0; i < n; i++) {
            float v = switch (dtype) {
                case F32 -> source.segment.get(F32_LE, source.byteOffset + 4 * i);
                case F16 -> DType.f16ToF32(source.segment.get(I16_LE, source.byteOffset + 2 * i));
                default -> DType.bf16ToF32(source.segment.get(I16_LE, source.byteOffset + 2 * i));
            };
            switch (target) {
                case F32 -> out.segment.setAtIndex(F32_LE, i, v);
                case F16 -> out.segment.setAtIndex(I16_LE, i, DType.f32ToF16(v));
                default -> out.segment.setAtIndex(I16_LE, i, DType.f32ToBf16(v));
            }
        }
        return out;
    }

    private static boolean isFloat(DType t) {
        return t == DType.F32 || t == DType.F16 || t == DType.BF16;
    }

    /** Byte address in {@link #segment()} of the element at {@code index}; bounds-checked. */
    public long addressOf(long... index) {
        if (index.length != strides.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not match shape " + shape);
        }
        long elements = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + shape);
            }
            elements += index[i] * strides[i];
        }
        return byteOffset + elements * dtype.byteSize();
    }

    /** The element at {@code index} converted to float (exact for F16, BF16, F8; rounded for wider types). */
    public float getFloat(long... index) {
        long address = addressOf(index);
        return switch (dtype) {
            case F32 -> segment.get(F32_LE, address);
            case F16 -> DType.f16ToF32(segment.get(I16_LE, address));
            case BF16 -> DType.bf16ToF32(segment.get(I16_LE, address));
            case F8_E4M3 -> DType.f8e4m3ToF32(segment.get(ValueLayout.JAVA_BYTE, address));
            case F8_E5M2 -> DType.f8e5m2ToF32(segment.get(ValueLayout.JAVA_BYTE, address));
            default -> (float) getDouble(index);
        };
    }

    /** The element at {@code index} converted to double. Unsigned types read as their unsigned value. */
    public double getDouble(long... index) {
        long address = addressOf(index);
        return switch (dtype) {
            case F64 -> segment.get(F64_LE, address);
            case F32, F16, BF16, F8_E4M3, F8_E5M2 -> getFloat(index);
            case U64 -> {
                long v = segment.get(I64_LE, address);
                yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            default -> getLong(index);
        };
    }

    /**
     * The element at {@code index} as a long: integers and booleans exactly (BOOL as 0 or 1),
     * floating-point values truncated toward zero.
     */
    public long getLong(long... index) {
        long address = addressOf(index);
        return switch (dtype) {
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, address);
            case U8 -> segment.get(ValueLayout.JAVA_BYTE, address) & 0xffL;
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, address) != 0 ? 1 : 0;
            case I16 -> segment.get(I16_LE, address);
            case U16 -> segment.get(I16_LE, address) & 0xffffL;
            case I32 -> segment.get(I32_LE, address);
            case U32 -> segment.get(I32_LE, address) & 0xffffffffL;
            case I64, U64 -> segment.get(I64_LE, address);
            default -> (long) getDouble(index);
        };
    }

    /** The element at {@code index} as a boolean: nonzero is true. */
    public boolean getBoolean(long... index) {
        return dtype.isFloatingPoint() ? getDouble(index) != 0 : getLong(index) != 0;
    }

    /** All elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor " + this + " has too many elements for a Java array");
        }
        float[] out = new float[(int) n];
        if (dtype == DType.F32 && isContiguous()) {
            MemorySegment.copy(segment, F32_LE, byteOffset, out, 0, out.length);
            return out;
        }
        long[] index = new long[rank()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(index);
            increment(index);
        }
        return out;
    }

    private void increment(long[] index) {
        for (int d = index.length - 1; d >= 0; d--) {
            if (++index[d] < shape.dim(d)) {
                return;
            }
            index[d] = 0;
        }
    }

    /** Formats as {@code Tensor[F32 [2, 3]]}, with strides when not contiguous. */
    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + shape + (isContiguous() ? "" : " strides " + Arrays.toString(strides)) + "]";
    }
}
