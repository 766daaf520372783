package io.github.vectorlm.tensor;

import java.util.Arrays;

/**
 * An immutable list of non-negative dimension sizes. A rank-0 shape ({@code []}) is a scalar with
 * one element.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new long[0]);

    private final long[] dims;
    private final long numel;

    private Shape(long[] dims) {
        this.dims = dims;
        long product = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            product = Math.multiplyExact(product, d);
        }
        this.numel = product;
    }

    /**
     * The shape with the given dimensions.
     *
     * @throws IllegalArgumentException if a dimension is negative
     * @throws ArithmeticException if the element count overflows a long
     */
    public static Shape of(long... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /** The shape with the given dimensions. */
    public static Shape of(int... dims) {
        long[] longs = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            longs[i] = dims[i];
        }
        return dims.length == 0 ? SCALAR : new Shape(longs);
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public long dim(int i) {
        return dims[normalizeAxis(i)];
    }

    /** The dimensions as a fresh array. */
    public long[] toArray() {
        return dims.clone();
    }

    /** Product of the dimensions: the number of elements. */
    public long numel() {
        return numel;
    }

    /** Strides, in elements, of a row-major contiguous tensor of this shape. */
    public long[] contiguousStrides() {
        long[] strides = new long[dims.length];
        long stride = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= Math.max(dims[i], 1);
        }
        return strides;
    }

    /** Turns a possibly negative axis into an index in {@code [0, rank)}. */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Formats as {@code [2, 3, 4]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
