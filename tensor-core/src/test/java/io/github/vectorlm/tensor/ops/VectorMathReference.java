package io.github.vectorlm.tensor.ops;

import java.util.Arrays;

/** Scalar twin of {@link VectorMath}. */
public final class VectorMathReference {
    private VectorMathReference() {
    }

    /** Same contract as {@link VectorMath#add}. */
    public static void add(float[] dst, int dstOffset, float[] src, int srcOffset, int n) {
        Elements.requireRange("add destination", dst.length, dstOffset, n);
        Elements.requireRange("add source", src.length, srcOffset, n);
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] += src[srcOffset + i];
        }
    }

    /** Same contract as {@link VectorMath#argmax}. */
    public static int argmax(float[] x, int offset, int n) {
        Elements.requireRange("argmax", x.length, offset, n);
        if (n < 1) {
            throw new IllegalArgumentException("argmax of an empty vector");
        }
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            if (!found && !Float.isNaN(v) || v > bestValue) {
                best = i;
                bestValue = v;
                found = true;
            }
        }
        return best;
    }

    /** Same contract as {@link VectorMath#topK}, with a plain heap over every element. */
    public static int topK(float[] x, int offset, int n, int k, int[] indices, float[] values) {
        Elements.requireRange("topK", x.length, offset, n);
        if (k < 0) {
            throw new IllegalArgumentException("topK: negative k " + k);
        }
        int count = Math.min(k, n);
        if (indices.length < count || values.length < count) {
            throw new IllegalArgumentException("topK output arrays hold fewer than " + count + " entries");
        }
        // a min-heap of the best `count` so far, ordered by (value, -index)
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (size < count) {
                indices[size] = i;
                values[size] = v;
                siftUp(indices, values, size++);
            } else if (count > 0 && worse(values[0], indices[0], v, i)) {
                indices[0] = i;
                values[0] = v;
                siftDown(indices, values, size);
            }
        }
        // heap-sort the survivors into descending order
        for (int end = size - 1; end > 0; end--) {
            swap(indices, values, 0, end);
            siftDown(indices, values, end);
        }
        if (size < count) {
            Arrays.fill(indices, size, count, -1);
            Arrays.fill(values, size, count, Float.NaN);
        }
        return size;
    }

    /** Whether entry (va, ia) ranks below entry (vb, ib). */
    private static boolean worse(float va, int ia, float vb, int ib) {
        return va < vb || (va == vb && ia > ib);
    }

    private static void siftUp(int[] idx, float[] val, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(val[i], idx[i], val[parent], idx[parent])) {
                return;
            }
            swap(idx, val, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] idx, float[] val, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int smallest = i;
            if (l < size && worse(val[l], idx[l], val[smallest], idx[smallest])) {
                smallest = l;
            }
            if (r < size && worse(val[r], idx[r], val[smallest], idx[smallest])) {
                smallest = r;
            }
            if (smallest == i) {
                return;
            }
            swap(idx, val, i, smallest);
            i = smallest;
        }
    }

    private static void swap(int[] idx, float[] val, int a, int b) {
        int ti = idx[a];
        idx[a] = idx[b];
        idx[b] = ti;
        float tv = val[a];
        val[a] = val[b];
        val[b] = tv;
    }
}
