package io.github.vectorlm.tensor.ops;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Per-thread buffers of the GEMV ({@link GemvRows}, {@link GemvColumns}) beside {@link Scratch}'s:
 * an F16 row widened exactly, and two cache-line-aligned native buffers: the copy of the input row
 * ([out, in]) and the partial sums of the outputs ([in, out]). Each is allocated the first time a thread needs it at that size and then reused, so a decode
 * step allocates nothing.
 */
final class GemvScratch {
    /** An F16 row widened exactly (the rare row with an infinity or NaN). */
    static final int ROW = 0;

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[1][]);

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes of a cache line: the alignment of {@link #aligned}. */
    static final int LINE = 64;

    /** The aligned copy of x. */
    private static final int X = 0;
    /** The partial sums of an [in, out] product. */
    private static final int SUMS = 1;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private static final ThreadLocal<MemorySegment[]> ALIGNED = ThreadLocal.withInitial(() -> new MemorySegment[2]);

    private static final ThreadLocal<int[]> SINK = ThreadLocal.withInitial(() -> new int[1]);

    private GemvScratch() {
    }

    /**
     * Where a kernel leaves the sum of bytes it read only to have their cache lines fetched
     * sooner: a store C2 cannot drop, so it keeps those loads. Never read.
     */
    static int[] sink() {
        return SINK.get();
    }

    /** This thread's float buffer {@code slot}, at least {@code size} long; contents undefined. */
    static float[] floats(int slot, int size) {
        float[][] buffers = FLOATS.get();
        float[] b = buffers[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            buffers[slot] = b;
        }
        return b;
    }

    /**
     * This thread's native buffer of at least {@code bytes}, starting on a cache line; contents
     * undefined. Why not a float[]: an array's elements start 16 bytes into a line, so every
     * 512-bit load from one straddles two lines, and a dot product reading x that way ran at 14–16
     * GB/s against 19–23 from an aligned copy (one core, [N, 768] F32 rows from memory).
     */
    private static MemorySegment aligned(int slot, long bytes) {
        MemorySegment[] buffers = ALIGNED.get();
        MemorySegment b = buffers[slot];
        if (b == null || b.byteSize() < bytes) {
            b = Arena.ofAuto().allocate(Math.max(bytes, LINE), LINE);
            buffers[slot] = b;
        }
        return b;
    }

    /** This thread's aligned buffer of {@code n} partial sums (F32), all 0. */
    static MemorySegment zeroedSums(int n) {
        return zeroed(aligned(SUMS, 4L * n), 4L * n);
    }

    private static MemorySegment zeroed(MemorySegment b, long bytes) {
        long i = 0;
        for (; i + Long.BYTES <= bytes; i += Long.BYTES) {
            b.set(I64, i, 0L);
        }
        for (; i < bytes; i += Float.BYTES) {
            b.set(F32, i, 0f);
        }
        return b;
    }

    /** {@code dst[offset + i] = sums[i]} for {@code i < n}: the sums into the caller's outputs. */
    static void copySums(MemorySegment sums, float[] dst, int offset, int n) {
        for (int i = 0; i < n; i++) {
            dst[offset + i] = sums.get(F32, 4L * i);
        }
    }

    /**
     * {@code x[offset .. offset + n)} times {@code scale} (a power of two) copied into
     * the aligned buffer of x at byte 0, or null, with the buffer's contents undefined, if some element
     * is not finite or not smaller than {@code limit} in magnitude (its scaled copy could overflow).
     */
    static MemorySegment alignedScaledCopy(float[] x, int offset, int n, float scale, float limit) {
        MemorySegment b = aligned(X, 4L * n);
        boolean fits = true;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            fits &= Math.abs(v) < limit;
            b.set(F32, 4L * i, v * scale);
        }
        return fits ? b : null;
    }

    /** {@code x[offset .. offset + n)} copied into the aligned buffer of x at byte 0. */
    static MemorySegment alignedCopy(float[] x, int offset, int n) {
        MemorySegment b = aligned(X, 4L * n);
        for (int i = 0; i < n; i++) { // not MemorySegment.copy: its array wrapper is not always scalar-replaced
            b.set(F32, 4L * i, x[offset + i]);
        }
        return b;
    }
}
