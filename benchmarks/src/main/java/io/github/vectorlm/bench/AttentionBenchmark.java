package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Parallel;
import java.util.concurrent.TimeUnit;
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
 * Causal attention of one GPT-2 124M layer (12 heads of 64) at sequence length {@code seq}:
 * {@code prefill} attends all {@code seq} positions to each other, {@code decode} attends one new
 * position to a cache of {@code seq}. Average time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class AttentionBenchmark {
    private static final int HEADS = 12;
    private static final int HEAD_DIM = 64;

    @Param({"128", "1024"})
    public int seq;

    @Param({"1", "2"})
    public int threads;

    private float[] q;
    private float[] keys;
    private float[] values;
    private float[] out;
    private float[] scratch;
    private Parallel parallel;

    @Setup(Level.Trial)
    public void setUp() {
        int width = HEADS * HEAD_DIM;
        q = BenchData.floats(1, seq * width, 1f);
        keys = BenchData.floats(2, seq * width, 1f);
        values = BenchData.floats(3, seq * width, 1f);
        out = new float[seq * width];
        parallel = Parallel.create(threads);
        scratch = new float[Attention.scratchSize(seq, HEAD_DIM, parallel)];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float prefill() {
        Attention.causal(out, 0, q, 0, seq, 0, keys, values, HEADS, HEAD_DIM, scratch, parallel);
        return out[0];
    }

    @Benchmark
    public float decode() {
        Attention.causal(out, 0, q, 0, 1, seq - 1, keys, values, HEADS, HEAD_DIM, scratch, parallel);
        return out[0];
    }
}
