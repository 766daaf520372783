package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.QuantizedTensor;
import java.lang.foreign.MemorySegment;

/**
 * {@code y = x·Wᵀ + b} for a {@link QuantizedLinear} (Q8_0, Q4_0 or Q6_K blocks, [out, in], read
 * in place). Activations enter as f32:
 * <ul>
 *   <li>one row (decode), and each row of {@link #linearEachRow} (the decode step of several
 *       sequences), is a dot product per output straight from the blocks ({@link BlockDots}), each
 *       weight row read from memory once for all rows, the other rows finding it in L1;
 *   <li>several rows (prefill) run the packed f32 GEMM ({@link Gemm}), whose packing dequantizes
 *       the blocks (exact: {@code q·d} fits an f32), so its arithmetic is the GEMM's: one FMA chain
 *       per output over the inputs in order.
 * </ul>
 * Either way a row's result depends only on that row, and work is split over outputs only, so
 * results do not depend on the thread count.
 */
final class BlockMatmul {
    /** Below this many multiply-adds one thread does the whole product (as {@link Matmul}). */
    private static final long PARALLEL_MIN_WORK = 1 << 18;

    private BlockMatmul() {
    }

    static void linear(float[] out, int outOffset, float[] x, int xOffset, int rows, QuantizedLinear w,
            Parallel parallel) {
        run(out, outOffset, x, xOffset, rows, w, parallel, rows < Matmul.GEMM_MIN_ROWS);
    }

    static void linearEachRow(float[] out, int outOffset, float[] x, int xOffset, int rows, QuantizedLinear w,
            Parallel parallel) {
        run(out, outOffset, x, xOffset, rows, w, parallel, true);
    }

    private static void run(float[] out, int outOffset, float[] x, int xOffset, int rows, QuantizedLinear w,
            Parallel parallel, boolean dots) {
        Task task = TASKS.get();
        task.out = out;
        task.outOffset = outOffset;
        task.x = x;
        task.xOffset = xOffset;
        task.rows = rows;
        task.w = w;
        task.dots = dots;
        try {
            if (!dots) {
                parallel.forRange(w.out(), Gemm.NR, task);
            } else if ((long) rows * w.in() * w.out() < PARALLEL_MIN_WORK) {
                task.run(0, w.out(), 0);
            } else {
                parallel.forRange(w.out(), 1, task);
            }
        } finally {
            task.out = null;
            task.x = null;
            task.w = null;
        }
    }

    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    /** One call as a range body over outputs, reused by the calling thread so that a call allocates nothing. */
    private static final class Task implements Parallel.RangeBody {
        private float[] out;
        private int outOffset;
        private float[] x;
        private int xOffset;
        private int rows;
        private QuantizedLinear w;
        private boolean dots;

        @Override
        public void run(int start, int end, int worker) {
            if (dots) {
                dotRange(out, outOffset, x, xOffset, rows, w, start, end);
                for (int r = 0; r < rows; r++) {
                    Gemv.addBias(out, outOffset + r * w.out(), w.bias(), start, end);
                }
            } else {
                Gemm.compute(out, outOffset, x, xOffset, rows, w, start, end);
            }
        }
    }

    /** {@code out[r, o] = dot(W[o], x[r])} for outputs {@code [o0, o1)}, each weight row read once. */
    private static void dotRange(float[] out, int outOffset, float[] x, int xOffset, int rows, QuantizedLinear w,
            int o0, int o1) {
        QuantizedTensor q = w.weight();
        MemorySegment seg = q.segment();
        int in = w.in();
        int nOut = w.out();
        int blocks = in / q.type().blockSize();
        long rowBytes = q.rowBytes();
        long row = q.byteOffset() + o0 * rowBytes;
        if (q.type() == BlockType.Q6_K) {
            for (int o = o0; o < o1; o++, row += rowBytes) {
                for (int r = 0; r < rows; r++) {
                    out[outOffset + r * nOut + o] = BlockDots.dotQ6K(seg, row, blocks, x, xOffset + r * in);
                }
            }
        } else if (q.type() == BlockType.Q8_0) {
            for (int o = o0; o < o1; o++, row += rowBytes) {
                for (int r = 0; r < rows; r++) {
                    out[outOffset + r * nOut + o] = BlockDots.dotQ8(seg, row, blocks, x, xOffset + r * in);
                }
            }
        } else {
            for (int o = o0; o < o1; o++, row += rowBytes) {
                for (int r = 0; r < rows; r++) {
                    out[outOffset + r * nOut + o] = BlockDots.dotQ4(seg, row, blocks, x, xOffset + r * in);
                }
            }
        }
    }

    /**
     * Dequantizes {@code count} values (whole blocks) of output row {@code o} from input {@code k0}
     * into {@code dst[dstOffset …]}: the GEMM's packing.
     */
    static void dequantize(QuantizedTensor q, int o, int k0, int count, float[] dst, int dstOffset) {
        BlockType type = q.type();
        long at = q.byteOffset() + o * q.rowBytes() + (long) (k0 / type.blockSize()) * type.blockBytes();
        if (type == BlockType.Q6_K) {
            type.dequantize(q.segment(), at, count, dst, dstOffset); // ggml's own arithmetic, scalar
        } else if (type == BlockType.Q8_0) {
            BlockDots.dequantizeQ8(q.segment(), at, count / 32, dst, dstOffset);
        } else {
            BlockDots.dequantizeQ4(q.segment(), at, count / 32, dst, dstOffset);
        }
    }
}
