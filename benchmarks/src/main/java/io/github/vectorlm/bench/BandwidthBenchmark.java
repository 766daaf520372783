package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.ops.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The machine's read bandwidth as Java sees it: summing a 1 GiB off-heap segment with the Vector
 * API, split over 1 or 2 threads through the same {@link Parallel} pool the kernels use. This is
 * the ceiling for the GEMV benchmarks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class BandwidthBenchmark {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final long BYTES = 1L << 30;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment data;
    private Parallel parallel;
    private ReadProbe probe;

    /** Bytes read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Bytes summed. */
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 64);
        for (long i = 0; i < BYTES; i += 8) {
            data.set(LONG, i, 0x3f8000003f800000L); // 1.0f, 1.0f
        }
        parallel = Parallel.create(threads);
        probe = new ReadProbe(parallel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
        arena.close();
    }

    @Benchmark
    public float sum(Counters counters) {
        float total = probe.read(data, 0, BYTES);
        counters.bytes += BYTES;
        return total;
    }
}
