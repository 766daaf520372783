package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix products of a batched decode step at GPT-2 124M shapes ({@code rows x in x out}):
 * every row with the one-row arithmetic, the weights read once for all rows
 * ({@link Matmul#linearEachRow}); {@code gemm} runs the same rows through the GEMM for
 * comparison. The {@code flops} counter is 2·rows·in·out per call, per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class BatchedDecodeBenchmark {
    @Param({"16x768x3072", "16x768x50257", "8x768x3072"})
    public String shape;

    @Param({"IN_OUT", "OUT_IN"})
    public String layout;

    @Param({"F32"})
    public String dtype;

    @Param({"1"})
    public int threads;

    private Arena arena;
    private Linear linear;
    private int rows;
    private float[] x;
    private float[] y;
    private Parallel parallel;
    private long flops;

    /** Floating-point operations, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** 2·rows·in·out per call. */
        public long flops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] d = BenchData.dims(shape);
        rows = d[0];
        arena = Arena.ofShared();
        linear = BenchData.linear(arena, 11, d[1], d[2], DType.valueOf(dtype), Linear.Layout.valueOf(layout));
        x = BenchData.floats(5, rows * d[1], 1f);
        y = new float[rows * d[2]];
        flops = 2L * rows * d[1] * d[2];
        parallel = Parallel.create(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
        arena.close();
    }

    @Benchmark
    public float eachRow(Counters counters) {
        Matmul.linearEachRow(y, 0, x, 0, rows, linear, parallel);
        counters.flops += flops;
        return y[0];
    }

    @Benchmark
    public float gemm(Counters counters) {
        Matmul.linear(y, 0, x, 0, rows, linear, parallel);
        counters.flops += flops;
        return y[0];
    }
}
