package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.ops.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The plain read that the GEMV kernels are measured against: a Vector API sum of a byte range
 * read as longs, four vector loads per step, split into contiguous chunks over the threads of a
 * {@link Parallel} pool. The value is only there so that the reads are kept.
 *
 * <p>Each step also reads the first byte of each of its cache lines as a scalar, the trick the
 * GEMV kernels use (see {@code GemvRows}): measured on one core, on the same memory in turns,
 * the vector loads alone read 18–19 GB/s where this reads 21–23 and the F32 dot product 21–25.
 * The probe is a ceiling, so it takes the faster read.
 *
 * <p>Longs, not floats: no kernel loads a {@code LongVector} from a segment. The JIT compiles the
 * Vector API's segment loads with the type profile of every segment that went through the same
 * JDK method; a probe reading the mapped weights as floats made the kernels' own loops compile
 * worse in most runs (see {@code Gemv}'s class notes and docs/performance.md), so it measured its
 * own disturbance.
 */
public final class ReadProbe {
    private static final VectorSpecies<Long> I = LongVector.SPECIES_PREFERRED;
    /** Bytes of one loop step: four vectors. */
    private static final long STEP = 4L * I.vectorByteSize();

    private final Parallel parallel;
    private final float[] partial = new float[64];

    public ReadProbe(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Reads bytes {@code [from, from + bytes)} of {@code s} (a multiple of 4 bytes) once, on the pool's threads. */
    public float read(MemorySegment s, long from, long bytes) {
        long steps = bytes / STEP;
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a read of " + bytes + " bytes is too long for one probe");
        }
        Arrays.fill(partial, 0f);
        parallel.forRange((int) steps, 1, (start, end, worker) ->
                partial[worker] = sum(s, from + start * STEP, from + end * STEP));
        float total = 0;
        for (float p : partial) {
            total += p;
        }
        for (long i = from + steps * STEP; i + Float.BYTES <= from + bytes; i += Float.BYTES) {
            total += s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }
        return total;
    }

    private static float sum(MemorySegment s, long from, long to) {
        LongVector a0 = LongVector.zero(I);
        LongVector a1 = a0;
        LongVector a2 = a0;
        LongVector a3 = a0;
        long v = I.vectorByteSize();
        int touched = 0;
        for (long i = from; i < to; i += STEP) {
            for (long line = 0; line < STEP; line += 64) {
                touched += s.get(ValueLayout.JAVA_BYTE, i + line);
            }
            a0 = a0.add(LongVector.fromMemorySegment(I, s, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(LongVector.fromMemorySegment(I, s, i + v, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(LongVector.fromMemorySegment(I, s, i + 2 * v, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(LongVector.fromMemorySegment(I, s, i + 3 * v, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD) + touched;
    }
}
