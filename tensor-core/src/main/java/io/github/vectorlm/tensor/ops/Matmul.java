package io.github.vectorlm.tensor.ops;

/**
 * {@code y = x·W (+ b)} for a {@link Linear} layer, reading the weight in place in the orientation
 * and dtype it is stored in. One row is a GEMV (decode, memory-bound); many rows take the blocked
 * GEMM path (prefill, compute-bound). Accumulates in f32.
 *
 * <p>Work is split over output features only, so the result is bit-identical for every thread
 * count. The IN_OUT GEMV and the GEMM compute each output as the same FMA chain, so for IN_OUT
 * weights a row's result does not depend on how many rows were computed with it either.
 */
public final class Matmul {
    /** From this many rows on, packing the weight into panels pays for itself. */
    static final int GEMM_MIN_ROWS = 2;

    private Matmul() {
    }

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}: {@code in} holds [rows, linear.in()]
     * floats from {@code inOffset}, {@code out} receives [rows, linear.out()] floats from
     * {@code outOffset}. {@code in} and {@code out} must not overlap.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear);
        if (rows == 0) {
            return;
        }
        if (rows < GEMM_MIN_ROWS) {
            gemvRows(out, outOffset, in, inOffset, rows, linear, parallel);
        } else {
            gemm(out, outOffset, in, inOffset, rows, linear, parallel);
        }
    }

    private static void gemvRows(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        if (rows == 1 && Gemv.splitsInputs(linear)) {
            gemvInputParts(out, outOffset, in, inOffset, linear, parallel);
            return;
        }
        int grain = linear.layout() == Linear.Layout.OUT_IN ? 1 : Simd.L;
        Task task = TASKS.get().set(out, outOffset, in, inOffset, rows, linear, false);
        try {
            if ((long) rows * linear.in() * linear.out() < PARALLEL_MIN_WORK) {
                task.run(0, linear.out(), 0);
            } else {
                parallel.forRange(linear.out(), grain, task);
            }
        } finally {
            task.clear();
        }
    }

    /** One row against [in, out] weights as {@link Gemv#INPUT_PARTS} partial sums shared by the threads. */
    private static void gemvInputParts(float[] out, int outOffset, float[] in, int inOffset, Linear linear,
            Parallel parallel) {
        Task task = TASKS.get().set(out, outOffset, in, inOffset, 1, linear, false);
        task.partials = task.partials(Gemv.INPUT_PARTS * linear.out());
        try {
            if ((long) linear.in() * linear.out() < PARALLEL_MIN_WORK) {
                task.run(0, Gemv.INPUT_PARTS, 0);
            } else {
                parallel.forRange(Gemv.INPUT_PARTS, 1, task);
            }
            Gemv.sumParts(out, outOffset, task.partials, linear);
        } finally {
            task.clear();
        }
    }

    private static void gemm(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        Task task = TASKS.get().set(out, outOffset, in, inOffset, rows, linear, true);
        try {
            parallel.forRange(linear.out(), Gemm.NR, task);
        } finally {
            task.clear();
        }
    }

    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);
    /**
     * Below this many multiply-adds (about 20 µs) one thread does the whole product: waking another
     * thread can cost more than that on a busy machine.
     */
    private static final long PARALLEL_MIN_WORK = 1 << 18;

    /**
     * One call's arguments as a range body, reused by the calling thread (which waits for the call
     * to finish), so that a matrix product allocates nothing.
     */
    private static final class Task implements Parallel.RangeBody {
        private float[] out;
        private int outOffset;
        private float[] in;
        private int inOffset;
        private int rows;
        private Linear linear;
        private boolean gemm;
        /** The partial sums of a GEMV split over inputs, or null; owned by the calling thread, grown once. */
        private float[] partials;
        private float[] partialsBuffer = new float[0];

        float[] partials(int n) {
            if (partialsBuffer.length < n) {
                partialsBuffer = new float[n];
            }
            return partialsBuffer;
        }

        Task set(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear, boolean gemm) {
            this.out = out;
            this.outOffset = outOffset;
            this.in = in;
            this.inOffset = inOffset;
            this.rows = rows;
            this.linear = linear;
            this.gemm = gemm;
            return this;
        }

        void clear() {
            out = null;
            in = null;
            linear = null;
            partials = null;
        }

        @Override
        public void run(int start, int end, int worker) {
            if (gemm) {
                Gemm.compute(out, outOffset, in, inOffset, rows, linear, start, end);
                return;
            }
            if (partials != null) {
                for (int part = start; part < end; part++) {
                    Gemv.inOutPart(partials, in, inOffset, linear, part);
                }
                return;
            }
            int nIn = linear.in();
            int nOut = linear.out();
            for (int r = 0; r < rows; r++) {
                Gemv.multiply(out, outOffset + r * nOut, in, inOffset + r * nIn, linear, start, end);
            }
        }
    }

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows} with an int8-quantized layer, in the
     * LLM.int8() style: outlier input columns (|x| above the layer's threshold in any row) in f32
     * against the original weights, everything else as int8×int8 products summed in int32 with one
     * scale per row of x and per output. See {@link Int8Linear}. Bit-identical for every thread count.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, Int8Linear linear,
            Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear.source());
        if (rows > 0) {
            Int8Matmul.linear(out, outOffset, in, inOffset, rows, linear, parallel);
        }
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear) {
        if (rows < 0) {
            throw new IllegalArgumentException("matmul " + linear + ": negative row count " + rows);
        }
        long inSize = (long) rows * linear.in();
        if (!Elements.fits(in.length, inOffset, inSize)) {
            throw Elements.rangeError("matmul input [" + rows + ", " + linear.in() + "] of " + linear, in.length,
                    inOffset, inSize);
        }
        long outSize = (long) rows * linear.out();
        if (!Elements.fits(out.length, outOffset, outSize)) {
            throw Elements.rangeError("matmul output [" + rows + ", " + linear.out() + "] of " + linear, out.length,
                    outOffset, outSize);
        }
    }
}
