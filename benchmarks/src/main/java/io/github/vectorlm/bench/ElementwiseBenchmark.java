package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Softmax;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-threaded element-wise kernels of a GPT-2 124M layer at sequence length {@code seq}:
 * layernorm over [seq, 768], the causal softmax of one head's [seq, seq] scores, and GELU (tanh)
 * over the MLP's [seq, 3072] activations. Average time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class ElementwiseBenchmark {
    private static final int DIM = 768;

    @Param({"128", "1024"})
    public int seq;

    private float[] x;
    private float[] y;
    private Tensor weight;
    private Tensor bias;
    private float[] scores;
    private float[] scoresSource;
    private float[] mlpSource;
    private float[] mlp;

    @Setup(Level.Trial)
    public void setUp() {
        x = BenchData.floats(1, seq * DIM, 2f);
        y = new float[x.length];
        weight = Tensor.fromFloats(BenchData.floats(2, DIM, 1f), DIM);
        bias = Tensor.fromFloats(BenchData.floats(3, DIM, 1f), DIM);
        scoresSource = BenchData.floats(4, seq * seq, 4f);
        scores = new float[scoresSource.length];
        mlpSource = BenchData.floats(5, seq * 4 * DIM, 3f);
        mlp = new float[mlpSource.length];
    }

    @Benchmark
    public float layerNorm() {
        Norms.layerNorm(y, 0, x, 0, seq, DIM, weight, bias, 1e-5f);
        return y[0];
    }

    /** Includes restoring the scores (a copy of seq² floats), since the softmax works in place. */
    @Benchmark
    public float causalSoftmax() {
        System.arraycopy(scoresSource, 0, scores, 0, scores.length);
        Softmax.causal(scores, 0, seq, seq, 1);
        return scores[scores.length - 1];
    }

    /** Includes restoring the activations (a copy), since GELU works in place. */
    @Benchmark
    public float geluTanh() {
        System.arraycopy(mlpSource, 0, mlp, 0, mlp.length);
        Activations.geluTanh(mlp, 0, mlp.length);
        return mlp[0];
    }
}
