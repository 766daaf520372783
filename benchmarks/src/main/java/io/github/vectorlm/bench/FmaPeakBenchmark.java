package io.github.vectorlm.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's FMA peak as Java sees it: twelve independent chains of {@code a = a·m + b} on vectors
 * of the preferred shape, in registers, no memory traffic. Twelve chains cover the FMA latency
 * (4 cycles on Zen 4/5) times two FMA pipes with room to spare, so the figure is the issue rate.
 * The {@code flops} counter is 2 per lane per FMA. Run it with {@code -jvmArgsAppend
 * -XX:MaxVectorSize=32} (or {@code -XX:UseAVX=2}) beside the default: the same GFLOP/s at half the
 * width means the 512-bit FMAs are split in two 256-bit halves; twice as many means full-width
 * pipes. This is the ceiling the GEMM and batched-decode figures are read against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FmaPeakBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 1 << 12;

    /** Floating-point operations, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** 2·lanes·12 per step. */
        public long flops;
    }

    /** Non-trivial inputs kept out of constant folding. */
    public float m = 0.999f;
    public float b = 1e-3f;

    @Benchmark
    public float fma(Counters counters) {
        FloatVector vm = FloatVector.broadcast(S, m);
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector a0 = FloatVector.broadcast(S, 1f);
        FloatVector a1 = FloatVector.broadcast(S, 2f);
        FloatVector a2 = FloatVector.broadcast(S, 3f);
        FloatVector a3 = FloatVector.broadcast(S, 4f);
        FloatVector a4 = FloatVector.broadcast(S, 5f);
        FloatVector a5 = FloatVector.broadcast(S, 6f);
        FloatVector a6 = FloatVector.broadcast(S, 7f);
        FloatVector a7 = FloatVector.broadcast(S, 8f);
        FloatVector a8 = FloatVector.broadcast(S, 9f);
        FloatVector a9 = FloatVector.broadcast(S, 10f);
        FloatVector a10 = FloatVector.broadcast(S, 11f);
        FloatVector a11 = FloatVector.broadcast(S, 12f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vm, vb);
            a1 = a1.fma(vm, vb);
            a2 = a2.fma(vm, vb);
            a3 = a3.fma(vm, vb);
            a4 = a4.fma(vm, vb);
            a5 = a5.fma(vm, vb);
            a6 = a6.fma(vm, vb);
            a7 = a7.fma(vm, vb);
            a8 = a8.fma(vm, vb);
            a9 = a9.fma(vm, vb);
            a10 = a10.fma(vm, vb);
            a11 = a11.fma(vm, vb);
        }
        counters.flops += 2L * S.length() * 12 * STEPS;
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
