package io.github.vectorlm.tensor.ops;

/**
 * {@code y = x·W (+ b)} for a {@link Linear} layer, reading the weight in place in the orientation
 * and dtype it is stored in. One row is a GEMV (decode, memory-bound); many rows take the blocked
 * GEMM path (prefill, compute-bound). Accumulates in f32.
 *
 * <p>Work is split over output features only, so the result is bit-identical for every thread
 * count. Two arithmetics, each documented where it lives: the one-row product's ({@link Gemv}),
 * and the GEMM's (one FMA chain per output over the inputs in order), which gives every row the
 * same bits however many rows are computed with it. {@link #linearEachRow} gives several rows the
 * one-row arithmetic, reading the weights once: what a row gets alone, it gets in any batch.
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

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}, each row computed bit for bit as
     * {@link #linear} computes it alone (one row: the decode arithmetic), the weights streamed from
     * memory once for all rows: the decode step of several sequences at once. Whatever {@code rows}
     * and the thread count, a row's result is the one it has alone.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linearEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear);
        if (rows <= 1) {
            linear(out, outOffset, in, inOffset, rows, linear, parallel);
        } else if (linear.layout() == Linear.Layout.OUT_IN) {
            run(Mode.EACH_ROW_DOTS, out, outOffset, in, inOffset, rows, linear, parallel, 1);
        } else if (Gemv.splitsInputs(linear)) {
            eachRowInputParts(out, outOffset, in, inOffset, rows, linear, parallel);
        } else {
            // the one-row arithmetic of [in, out] weights is the GEMM's: one FMA chain per output
            Task task = TASKS.get().set(Mode.EACH_ROW_COLUMNS, out, outOffset, in, inOffset, rows, linear);
            try {
                parallel.forRange(linear.out(), 2 * Simd.L, task);
            } finally {
                task.clear();
            }
        }
    }

    /**
     * Rows against [in, out] weights whose one-row product is split over the inputs: each of the
     * {@link Gemv#INPUT_PARTS} parts with the GEMM's arithmetic over its inputs
     * ({@link EachRowColumns}), then the parts summed in the order of {@link Gemv#sumParts}.
     */
    private static void eachRowInputParts(float[] out, int outOffset, float[] in, int inOffset, int rows,
            Linear linear, Parallel parallel) {
        int nOut = linear.out();
        Task task = TASKS.get().set(Mode.EACH_ROW_COLUMN_PARTS, out, outOffset, in, inOffset, rows, linear);
        float[] parts = task.partials(Gemv.INPUT_PARTS * rows * nOut);
        task.partials = parts;
        try {
            parallel.forRange(nOut, 2 * Simd.L, task);
        } finally {
            task.clear();
        }
        int plane = rows * nOut;
        for (int r = 0; r < rows; r++) {
            int y = outOffset + r * nOut;
            for (int o = 0; o < nOut; o++) {
                int at = r * nOut + o;
                float sum = parts[at];
                for (int p = 1; p < Gemv.INPUT_PARTS; p++) {
                    sum += parts[p * plane + at];
                }
                out[y + o] = sum;
            }
            Gemv.addBias(out, y, linear.bias(), 0, nOut);
        }
    }

    private static void gemvRows(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        if (rows == 1 && Gemv.splitsInputs(linear)) {
            gemvInputParts(out, outOffset, in, inOffset, linear, parallel);
            return;
        }
        int grain = linear.layout() == Linear.Layout.OUT_IN ? 1 : Simd.L;
        run(Mode.GEMV, out, outOffset, in, inOffset, rows, linear, parallel, grain);
    }

    /** Runs {@code mode} over the outputs, on one thread when the product is small. */
    private static void run(Mode mode, float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel, int grain) {
        Task task = TASKS.get().set(mode, out, outOffset, in, inOffset, rows, linear);
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
        Task task = TASKS.get().set(Mode.GEMV_PARTS, out, outOffset, in, inOffset, 1, linear);
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
        Task task = TASKS.get().set(Mode.GEMM, out, outOffset, in, inOffset, rows, linear);
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
    /** What a {@link Task} runs over its range of outputs. */
    private enum Mode {
        /** Each row's one-row product ({@link Gemv#multiply}). */
        GEMV,
        /** One row against [in, out] weights: the parts of a split over the inputs (the range is of parts). */
        GEMV_PARTS,
        /** The packed GEMM. */
        GEMM,
        /** Several rows against [in, out] weights read in place, each input part into its own plane of partial sums. */
        EACH_ROW_COLUMN_PARTS,
        /** Several rows against [in, out] weights read in place ({@link EachRowColumns}), then the bias. */
        EACH_ROW_COLUMNS,
        /** Several rows against [out, in] weights, each with the one-row arithmetic ({@link EachRowDots}). */
        EACH_ROW_DOTS
    }

    private static final class Task implements Parallel.RangeBody {
        private Mode mode;
        private float[] out;
        private int outOffset;
        private float[] in;
        private int inOffset;
        private int rows;
        private Linear linear;
        /** The partial sums of a product split over inputs, or null; owned by the calling thread, grown once. */
        private float[] partials;
        private float[] partialsBuffer = new float[0];

        float[] partials(int n) {
            if (partialsBuffer.length < n) {
                partialsBuffer = new float[n];
            }
            return partialsBuffer;
        }

        Task set(Mode mode, float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear) {
            this.mode = mode;
            this.out = out;
            this.outOffset = outOffset;
            this.in = in;
            this.inOffset = inOffset;
            this.rows = rows;
            this.linear = linear;
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
            switch (mode) {
                case GEMM -> Gemm.compute(out, outOffset, in, inOffset, rows, linear, start, end);
                case GEMV_PARTS -> {
                    for (int part = start; part < end; part++) {
                        Gemv.inOutPart(partials, in, inOffset, linear, part);
                    }
                }
                case EACH_ROW_COLUMN_PARTS -> {
                    int nIn = linear.in();
                    int plane = rows * linear.out();
                    for (int part = 0; part < Gemv.INPUT_PARTS; part++) {
                        int i0 = (int) ((long) nIn * part / Gemv.INPUT_PARTS);
                        int i1 = (int) ((long) nIn * (part + 1) / Gemv.INPUT_PARTS);
                        EachRowColumns.multiply(partials, part * plane, in, inOffset, rows, linear, start, end, i0, i1);
                    }
                }
                case EACH_ROW_COLUMNS -> {
                    EachRowColumns.multiply(out, outOffset, in, inOffset, rows, linear, start, end, 0, linear.in());
                    int nOut = linear.out();
                    for (int r = 0; r < rows; r++) {
                        Gemv.addBias(out, outOffset + r * nOut, linear.bias(), start, end);
                    }
                }
                case EACH_ROW_DOTS -> EachRowDots.multiply(out, outOffset, in, inOffset, rows, linear, start, end);
                case GEMV -> {
                    int nIn = linear.in();
                    int nOut = linear.out();
                    for (int r = 0; r < rows; r++) {
                        Gemv.multiply(out, outOffset + r * nOut, in, inOffset + r * nIn, linear, start, end);
                    }
                }
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

    /**
     * As {@link #linearEachRow(float[], int, float[], int, int, Linear, Parallel)} for an
     * int8-quantized layer: each row exactly as the one-row product (exact int32 sums), the int8
     * weights read once for all rows.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linearEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
            Int8Linear linear, Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear.source());
        if (rows > 0) {
            Int8Matmul.linearEachRow(out, outOffset, in, inOffset, rows, linear, parallel);
        }
    }

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows} with Q8_0/Q4_0 weights read in place:
     * one row as dot products straight from the blocks, several rows as the packed GEMM over the
     * exactly dequantized weights (see {@link QuantizedLinear}). Bit-identical for every thread
     * count; a row's result never depends on the other rows.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, QuantizedLinear linear,
            Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear.in(), linear.out(), linear);
        if (rows > 0) {
            BlockMatmul.linear(out, outOffset, in, inOffset, rows, linear, parallel);
        }
    }

    /**
     * As {@link #linearEachRow(float[], int, float[], int, int, Linear, Parallel)} for Q8_0/Q4_0
     * weights: each row exactly as the one-row product, the blocks read once for all rows.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linearEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
            QuantizedLinear linear, Parallel parallel) {
        checkArguments(out, outOffset, in, inOffset, rows, linear.in(), linear.out(), linear);
        if (rows > 0) {
            BlockMatmul.linearEachRow(out, outOffset, in, inOffset, rows, linear, parallel);
        }
    }

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}, for a layer of any kind: the
     * overload for its class, chosen once per call.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, LinearLayer layer,
            Parallel parallel) {
        // instanceof, not a pattern switch: that one is linked at run time by a bootstrap method,
        // a cost on every cold start
        if (layer instanceof Linear l) {
            linear(out, outOffset, in, inOffset, rows, l, parallel);
        } else if (layer instanceof Int8Linear l) {
            linear(out, outOffset, in, inOffset, rows, l, parallel);
        } else {
            linear(out, outOffset, in, inOffset, rows, (QuantizedLinear) layer, parallel);
        }
    }

    /**
     * Each row with the arithmetic it has alone, the weights read once for all rows, for a layer of
     * any kind: the overload for its class, chosen once per call.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linearEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
            LinearLayer layer, Parallel parallel) {
        if (layer instanceof Linear l) {
            linearEachRow(out, outOffset, in, inOffset, rows, l, parallel);
        } else if (layer instanceof Int8Linear l) {
            linearEachRow(out, outOffset, in, inOffset, rows, l, parallel);
        } else {
            linearEachRow(out, outOffset, in, inOffset, rows, (QuantizedLinear) layer, parallel);
        }
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear) {
        checkArguments(out, outOffset, in, inOffset, rows, linear.in(), linear.out(), linear);
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, int nIn, int nOut,
            Object linear) {
        if (rows < 0) {
            throw new IllegalArgumentException("matmul " + linear + ": negative row count " + rows);
        }
        long inSize = (long) rows * nIn;
        if (!Elements.fits(in.length, inOffset, inSize)) {
            throw Elements.rangeError("matmul input [" + rows + ", " + nIn + "] of " + linear, in.length,
                    inOffset, inSize);
        }
        long outSize = (long) rows * nOut;
        if (!Elements.fits(out.length, outOffset, outSize)) {
            throw Elements.rangeError("matmul output [" + rows + ", " + nOut + "] of " + linear, out.length,
                    outOffset, outSize);
        }
    }
}
