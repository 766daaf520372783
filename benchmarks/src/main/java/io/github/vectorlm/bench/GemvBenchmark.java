package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Int8Linear;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.QuantizedLinear;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Decode-step matrix–vector products at GPT-2 124M shapes ({@code in x out}): one token through
 * c_attn (768x2304), c_fc (768x3072), c_proj of the MLP (3072x768) and the LM head (768x50257).
 * Each call uses the next of several weight copies totalling {@link BenchData#ROTATION_BYTES}, so
 * the weights stream from DRAM as in a real model (500 MB of weights per token), not from L3.
 * The {@code weightBytes} counter of {@link #gemv} is weight bytes read per second; compare it
 * with {@link BandwidthBenchmark}.
 *
 * <p>{@link #gemvBesideRead} measures the same GEMV beside a plain read ({@link ReadProbe}) of the
 * same weight copies, in turns, in the same fork: the fraction of the read bandwidth that the
 * kernel reaches on that very memory. The JVM places each fork's memory anew, and on this
 * (virtual) machine one region reads up to half again as fast as another (the same read loop
 * measured 18 to 28 GB/s in separate runs), so a ratio to a bandwidth measured in another fork is
 * off by as much as that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class GemvBenchmark {
    @Param({"768x2304", "768x3072", "3072x768", "768x50257"})
    public String shape;

    /**
     * Weight type; {@code I8} is an {@link Int8Linear} quantized from F32 weights, {@code Q8_0} and
     * {@code Q4_0} a {@link QuantizedLinear} (their layout is always [out, in], in an arena).
     */
    @Param({"F32", "BF16", "F16"})
    public String dtype;

    @Param({"OUT_IN", "IN_OUT"})
    public String layout;

    @Param({"1", "2"})
    public int threads;

    /**
     * Where the weight copies live: {@code MAPPED}, a temporary file mapped read-only as a model's
     * checkpoint is, or {@code NATIVE}, arena memory. They can disagree: F32 [in, out] sums in an
     * aligned native buffer measured faster here on native weights, and slower in the model.
     * Int8 layers are always native (quantized in an arena).
     */
    @Param({"MAPPED"})
    public String weights;

    private Arena arena;
    private MappedFile mapped;
    private Path file;
    private Linear[] copies;
    private Int8Linear[] quantized;
    private QuantizedLinear[] blocks;
    private int next;
    private float[] x;
    private float[] y;
    private Parallel parallel;
    private ReadProbe probe;
    private long weightBytes;

    /** Weight bytes read, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Bytes of weights streamed. */
        public long weightBytes;
    }

    /**
     * Totals per iteration of {@link #gemvBesideRead}: bytes and nanoseconds of the GEMV calls and
     * of the plain reads. Bytes over nanoseconds is GB/s.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class SameMemory {
        /** Weight bytes the GEMV calls read. */
        public long gemvBytes;
        /** Time spent in the GEMV calls. */
        public long gemvNanos;
        /** Bytes the plain reads read. */
        public long readBytes;
        /** Time spent in the plain reads. */
        public long readNanos;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int[] d = BenchData.dims(shape);
        boolean int8 = dtype.equals("I8");
        BlockType blockType = dtype.startsWith("Q") ? BlockType.valueOf(dtype) : null;
        DType type = int8 || blockType != null ? DType.F32 : DType.valueOf(dtype);
        weightBytes = blockType != null ? blockType.bytesFor((long) d[0] * d[1])
                : (long) d[0] * d[1] * (int8 ? 1 : type.byteSize());
        int count = (int) Math.max(2, (BenchData.ROTATION_BYTES + weightBytes - 1) / weightBytes);
        arena = Arena.ofShared();
        Linear source = BenchData.linear(arena, 17, d[0], d[1], type, Linear.Layout.valueOf(layout));
        if (blockType != null) {
            blocks = new QuantizedLinear[count];
            for (int i = 0; i < count; i++) {
                blocks[i] = QuantizedLinear.quantize(source, blockType, arena);
            }
        } else if (int8) {
            quantized = new Int8Linear[count];
            for (int i = 0; i < count; i++) {
                quantized[i] = Int8Linear.quantize(source, Int8Linear.DEFAULT_THRESHOLD, arena);
            }
        } else if (weights.equals("MAPPED")) {
            file = Files.createTempFile("vectorlm-gemv-", ".bin");
            mapped = BenchData.mappedCopies(file, source, count);
            copies = new Linear[count];
            for (int i = 0; i < count; i++) {
                copies[i] = BenchData.view(source, mapped.segment(), i * weightBytes);
            }
        } else {
            copies = new Linear[count];
            copies[0] = source;
            for (int i = 1; i < count; i++) {
                copies[i] = BenchData.copy(arena, copies[0]);
            }
        }
        x = BenchData.floats(3, d[0], 1f);
        y = new float[d[1]];
        parallel = Parallel.create(threads);
        probe = new ReadProbe(parallel);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        parallel.close();
        if (mapped != null) {
            mapped.close();
            Files.deleteIfExists(file);
        }
        arena.close();
    }

    @Benchmark
    public float gemv(Counters counters) {
        float result = multiply(next);
        next = next + 1 == copies() ? 0 : next + 1;
        counters.weightBytes += weightBytes;
        return result;
    }

    /**
     * One GEMV with the next weight copy, then a plain read of the copy half the rotation away
     * (never one still in the L3 from the GEMV), each timed: every copy is read both ways once per
     * round.
     */
    @Benchmark
    public float gemvBesideRead(SameMemory counters) {
        int copy = next;
        next = next + 1 == copies() ? 0 : next + 1;
        long t0 = System.nanoTime();
        float result = multiply(copy);
        long t1 = System.nanoTime();
        int other = (copy + copies() / 2) % copies();
        if (blocks != null) {
            result += probe.read(blocks[other].weight().segment(), blocks[other].weight().byteOffset(), weightBytes);
        } else {
            Tensor w = quantized != null ? quantized[other].quantizedWeight() : copies[other].weight();
            result += probe.read(w.segment(), w.byteOffset(), weightBytes);
        }
        long t2 = System.nanoTime();
        counters.gemvBytes += weightBytes;
        counters.gemvNanos += t1 - t0;
        counters.readBytes += weightBytes;
        counters.readNanos += t2 - t1;
        return result;
    }

    private int copies() {
        return blocks != null ? blocks.length : quantized != null ? quantized.length : copies.length;
    }

    private float multiply(int copy) {
        if (blocks != null) {
            Matmul.linear(y, 0, x, 0, 1, blocks[copy], parallel);
        } else if (quantized != null) {
            Matmul.linear(y, 0, x, 0, 1, quantized[copy], parallel);
        } else {
            Matmul.linear(y, 0, x, 0, 1, copies[copy], parallel);
        }
        return y[0];
    }
}
