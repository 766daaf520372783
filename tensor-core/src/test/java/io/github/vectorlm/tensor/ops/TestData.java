package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.fail;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random inputs with printed seeds, tensors at awkward byte offsets, and tolerance checks. */
final class TestData {
    /** Sizes around the vector length and the model widths: tails, one element, non-multiples. */
    static final int[] AWKWARD_SIZES = {1, 3, 17, 63, 65, 767, 769, 3073};

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TestData() {
    }

    /** A seed, from {@code -Dvectorlm.test.seed} if given, printed so that a failure can be replayed. */
    static Random random(String test) {
        String fixed = System.getProperty("vectorlm.test.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + ": seed " + seed + " (replay with -Dvectorlm.test.seed=" + seed + ")");
        return new Random(seed);
    }

    /** n normally distributed floats times {@code scale}. */
    static float[] normal(Random random, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    /**
     * A contiguous tensor of {@code dtype} holding {@code values} (rounded to the dtype), placed
     * {@code misalign} bytes into its segment so that vector loads are unaligned.
     */
    static Tensor tensor(DType dtype, float[] values, int misalign, long... shape) {
        long bytes = (long) values.length * dtype.byteSize();
        MemorySegment segment = Arena.ofAuto().allocate(bytes + misalign + 8, 64);
        for (int i = 0; i < values.length; i++) {
            long at = misalign + (long) i * dtype.byteSize();
            switch (dtype) {
                case F32 -> segment.set(F32, at, values[i]);
                case F16 -> segment.set(I16, at, DType.f32ToF16(values[i]));
                case BF16 -> segment.set(I16, at, DType.f32ToBf16(values[i]));
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return Tensor.of(dtype, Shape.of(shape), segment, misalign);
    }

    /** Fails unless {@code |expected[i] - actual[i]| ≤ bound[i]} for every i, naming the first bad index. */
    static void assertWithin(String what, float[] expected, float[] actual, double[] bound) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (!(diff <= bound[i]) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))
                    && expected[i] != actual[i]) {
                fail(what + ": index " + i + " expected " + expected[i] + " got " + actual[i] + " (|diff| "
                        + diff + " > bound " + bound[i] + ")");
            }
        }
    }

    /** Bound {@code abs + rel·|expected[i]|} for every element. */
    static double[] bound(float[] expected, double abs, double rel) {
        double[] b = new double[expected.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = abs + rel * Math.abs(expected[i]);
        }
        return b;
    }

    /** Fails unless the arrays are equal bit for bit. */
    static void assertBitIdentical(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + " differs: " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
