package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Small whole-vector operations: residual add, argmax, top-k. */
public final class VectorMath {
    private VectorMath() {
    }

    /** {@code dst[i] += src[i]} for {@code n} floats: the residual add. */
    public static void add(float[] dst, int dstOffset, float[] src, int srcOffset, int n) {
        Elements.requireRange("add destination", dst.length, dstOffset, n);
        Elements.requireRange("add source", src.length, srcOffset, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, dst, dstOffset + i).add(FloatVector.fromArray(F, src, srcOffset + i))
                    .intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) {
            dst[dstOffset + i] += src[srcOffset + i];
        }
    }

    /** Index (relative to {@code offset}) of the largest of {@code n} floats; the first on ties; NaN never wins. */
    public static int argmax(float[] x, int offset, int n) {
        Elements.requireRange("argmax", x.length, offset, n);
        if (n < 1) {
            throw new IllegalArgumentException("argmax of an empty vector");
        }
        // the largest non-NaN value, then its first index
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, offset + i);
            maxV = maxV.max(v.blend(Float.NEGATIVE_INFINITY, v.test(VectorOperators.IS_NAN)));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX); // exact: any order gives the same
        for (; i < n; i++) {
            float v = x[offset + i];
            if (v > max) {
                max = v;
            }
        }
        for (i = 0; i < n; i++) {
            if (x[offset + i] == max) {
                return i;
            }
        }
        return 0; // all NaN
    }

    /**
     * The {@code k} largest of {@code n} floats, in descending order (lower index first on ties):
     * their indices (relative to {@code offset}) into {@code indices}, values into {@code values}.
     * Returns how many were written: {@code min(k, n)}.
     */
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
            if (size == count && count > 0 && (i & (L - 1)) == 0 && i + L <= n) {
                // indices only grow, so an entry must beat the heap's smallest value strictly
                FloatVector block = FloatVector.fromArray(F, x, offset + i);
                if (!block.compare(VectorOperators.GT, values[0]).anyTrue()) {
                    i += L - 1;
                    continue;
                }
            }
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
