package io.github.vectorlm.bench;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** Off-heap weights and random activations for the kernel benchmarks. */
final class BenchData {
    /** Total bytes of weight copies a GEMV benchmark rotates through: far more than the 32 MB L3. */
    static final long ROTATION_BYTES = 256L << 20;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchData() {
    }

    /** The same layer with its weight copied to fresh memory (the bias is shared). */
    static Linear copy(Arena arena, Linear source) {
        Tensor w = source.weight();
        MemorySegment segment = arena.allocate(w.dataBytes(), 64);
        MemorySegment.copy(w.contiguousData(), 0, segment, 0, w.dataBytes());
        Tensor weight = Tensor.of(w.dtype(), w.shape(), segment, 0);
        return source.layout() == Linear.Layout.OUT_IN
                ? Linear.outIn(weight, source.bias()) : Linear.inOut(weight, source.bias());
    }

    /**
     * Writes {@code count} copies of {@code source}'s weight bytes one after another into
     * {@code file} and maps it read-only, as a checkpoint's tensors are mapped.
     */
    static MappedFile mappedCopies(Path file, Linear source, int count) throws IOException {
        ByteBuffer bytes = source.weight().contiguousData().asByteBuffer();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                ByteBuffer copy = bytes.duplicate();
                while (copy.hasRemaining()) {
                    channel.write(copy);
                }
            }
        }
        return MappedFile.open(file);
    }

    /** {@code source} with its weight read from {@code segment} at byte {@code offset} (the bias is shared). */
    static Linear view(Linear source, MemorySegment segment, long offset) {
        Tensor w = source.weight();
        Tensor weight = Tensor.of(w.dtype(), w.shape(), segment, offset);
        return source.layout() == Linear.Layout.OUT_IN
                ? Linear.outIn(weight, source.bias()) : Linear.inOut(weight, source.bias());
    }

    /** {@code "768x2304"} → {768, 2304}. */
    static int[] dims(String shape) {
        String[] parts = shape.split("x");
        int[] d = new int[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Integer.parseInt(parts[i]);
        }
        return d;
    }

    /** n uniform floats in [-scale, scale). */
    static float[] floats(long seed, int n, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /**
     * A linear layer in → out with random weights of {@code dtype} stored in {@code layout}, in
     * off-heap memory like a mapped checkpoint (64-byte aligned, as safetensors data usually is not
     * guaranteed to be; the kernels do not rely on it), and a bias.
     */
    static Linear linear(Arena arena, long seed, int in, int out, DType dtype, Linear.Layout layout) {
        long n = (long) in * out;
        MemorySegment segment = arena.allocate(n * dtype.byteSize(), 64);
        SplittableRandom random = new SplittableRandom(seed);
        float scale = (float) (1 / Math.sqrt(in));
        for (long i = 0; i < n; i++) {
            float v = (float) ((random.nextDouble() * 2 - 1) * scale);
            switch (dtype) {
                case F32 -> segment.setAtIndex(F32, i, v);
                case F16 -> segment.setAtIndex(I16, i, DType.f32ToF16(v));
                case BF16 -> segment.setAtIndex(I16, i, DType.f32ToBf16(v));
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        Shape shape = layout == Linear.Layout.OUT_IN ? Shape.of(out, in) : Shape.of(in, out);
        Tensor weight = Tensor.of(dtype, shape, segment, 0);
        Tensor bias = Tensor.fromFloats(floats(seed + 1, out, 0.1f), out);
        return layout == Linear.Layout.OUT_IN ? Linear.outIn(weight, bias) : Linear.inOut(weight, bias);
    }
}
