package io.github.vectorlm.bench.model;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.util.SplittableRandom;

/**
 * An experiment for the time to first token: runs the decode and prefill kernels on tiny random
 * weights for a while, so that C2 compiles them (the Vector API's interpreted and C1 forms are
 * some hundred times slower and allocate every vector) while the main thread loads the model.
 * {@code ModelBench generate --warm-kernels DTYPE} runs it on a background thread beside the load.
 */
final class KernelWarmup {
    private static final int D = 64;
    private static final int INNER = 4 * D;
    private static final int ROWS = 8;
    private static final int HEADS = 4;

    private KernelWarmup() {
    }

    /** Runs {@code iterations} rounds of the kernels with weights of {@code dtype}; returns the milliseconds taken. */
    static double run(DType dtype, int iterations) {
        long t0 = System.nanoTime();
        SplittableRandom random = new SplittableRandom(1);
        Tensor norm = random(DType.F32, random, D);
        Tensor bias = random(DType.F32, random, D);
        Linear upInOut = Linear.inOut(random(dtype, random, D, INNER), random(DType.F32, random, INNER));
        Linear downInOut = Linear.inOut(random(dtype, random, INNER, D), random(DType.F32, random, D));
        Linear upOutIn = Linear.outIn(random(dtype, random, INNER, D), random(DType.F32, random, INNER));
        Linear head = Linear.outIn(random(dtype, random, 4 * INNER, D), null);
        float[] x = new float[ROWS * D];
        float[] normed = new float[ROWS * D];
        float[] hidden = new float[ROWS * INNER];
        float[] logits = new float[4 * INNER];
        float[] keys = new float[ROWS * D];
        float[] values = new float[ROWS * D];
        float[] attended = new float[ROWS * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
            keys[i] = (float) random.nextGaussian();
            values[i] = (float) random.nextGaussian();
        }
        try (Parallel one = Parallel.create(1)) {
            float[] scratch = new float[Attention.scratchSize(ROWS, one)];
            for (int it = 0; it < iterations; it++) {
                int rows = (it & 1) == 0 ? ROWS : 1; // the GEMM (prefill) and GEMV (decode) paths
                Norms.layerNorm(normed, 0, x, 0, rows, D, norm, bias, 1e-5f);
                Matmul.linear(hidden, 0, normed, 0, rows, upInOut, one);
                Activations.geluTanh(hidden, 0, rows * INNER);
                Activations.geluErf(hidden, 0, rows * INNER);
                Matmul.linear(normed, 0, hidden, 0, rows, downInOut, one);
                Matmul.linear(hidden, 0, normed, 0, rows, upOutIn, one);
                VectorMath.add(normed, 0, x, 0, rows * D);
                Attention.causal(attended, 0, x, 0, rows, ROWS - rows, keys, values, HEADS, D / HEADS, scratch, one);
                Matmul.linear(logits, 0, normed, 0, 1, head, one);
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static Tensor random(DType dtype, SplittableRandom random, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.1 * random.nextGaussian());
        }
        return Tensor.fromFloats(dtype, values, shape);
    }
}
