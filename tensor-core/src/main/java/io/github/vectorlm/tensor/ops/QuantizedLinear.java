package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A linear layer whose weight is block-quantized in ggml's Q8_0, Q4_0 or Q6_K layout (Q6_K: read
 * from a GGUF file, e.g. the output matrix llama-quantize keeps in Q6_K; not made by
 * {@link #quantize}), stored [out, in]
 * (each output's weights one row of blocks, as GGUF stores a weight), read in place, with an
 * optional F32/F16/BF16 bias. {@link Matmul#linear(float[], int, float[], int, int, QuantizedLinear,
 * Parallel)} computes {@code y = x·W (+ b)} with it.
 *
 * <pre>{@code
 * QuantizedLinear q = QuantizedLinear.quantize(linear, BlockType.Q8_0, arena);
 * Matmul.linear(y, 0, x, 0, 1, q, Parallel.shared());
 * }</pre>
 *
 * Immutable and shareable across threads.
 */
public final class QuantizedLinear implements LinearLayer {
    private final QuantizedTensor weight;
    private final Tensor bias;
    private final int in;
    private final int out;

    private QuantizedLinear(QuantizedTensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
        this.out = (int) weight.shape().dim(0);
        this.in = (int) weight.shape().dim(1);
    }

    /**
     * The layer over {@code weight} ([out, in], Q8_0, Q4_0 or Q6_K) and {@code bias} (may be null).
     * The weight may lie in a mapped file: the kernels read its blocks where they are.
     *
     * @throws IllegalArgumentException if the weight is not 2-D, not Q8_0, Q4_0 or Q6_K, too large for
     *     int indices, or the bias is not a contiguous F32/F16/BF16 vector of {@code out} values
     */
    public static QuantizedLinear of(QuantizedTensor weight, Tensor bias) {
        Objects.requireNonNull(weight, "weight");
        if (weight.type() != BlockType.Q8_0 && weight.type() != BlockType.Q4_0 && weight.type() != BlockType.Q6_K) {
            throw new IllegalArgumentException("a quantized linear weight must be Q8_0, Q4_0 or Q6_K, got " + weight);
        }
        if (weight.shape().rank() != 2) {
            throw new IllegalArgumentException("a quantized linear weight must be 2-D [out, in], got " + weight);
        }
        long outDim = weight.shape().dim(0);
        long inDim = weight.shape().dim(1);
        if (outDim > Integer.MAX_VALUE || inDim > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("quantized linear weight too large: " + weight);
        }
        if (bias != null) {
            DType b = bias.dtype();
            if (bias.rank() != 1 || bias.dim(0) != outDim || !bias.isContiguous()
                    || (b != DType.F32 && b != DType.F16 && b != DType.BF16)) {
                throw new IllegalArgumentException("bias " + bias + " does not match weight " + weight
                        + " (out = " + outDim + "; a contiguous F32/F16/BF16 vector is needed)");
            }
        }
        return new QuantizedLinear(weight, bias);
    }

    /**
     * Quantizes {@code source}'s weight to {@code type} ({@link BlockType#quantize}, ggml's
     * reference quantizer) as [out, in] blocks allocated in {@code arena}; the bias stays the
     * source's.
     *
     * @throws IllegalArgumentException if {@code type} is not Q8_0 or Q4_0, or the input width is
     *     not a multiple of 32
     */
    public static QuantizedLinear quantize(Linear source, BlockType type, Arena arena) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(arena, "arena");
        if (type != BlockType.Q8_0 && type != BlockType.Q4_0) {
            throw new IllegalArgumentException("layers are quantized to Q8_0 or Q4_0, not " + type);
        }
        int in = source.in();
        int out = source.out();
        if (in % type.blockSize() != 0) {
            throw new IllegalArgumentException("cannot quantize " + source + " to " + type + ": its " + in
                    + " inputs are not a whole number of blocks of " + type.blockSize());
        }
        long rowBytes = type.bytesFor(in);
        MemorySegment blocks = arena.allocate(Math.multiplyExact(rowBytes, out), 64);
        float[] row = new float[in];
        if (source.layout() == Linear.Layout.OUT_IN) {
            for (int o = 0; o < out; o++) {
                Widen.tensor(source.weight(), (long) o * in, row, 0, in);
                type.quantize(row, 0, in, blocks, o * rowBytes);
            }
        } else {
            // [in, out]: widen a band of output columns at a time from whole input rows
            int band = 64;
            float[] inputRow = new float[out];
            float[] columns = new float[band * in];
            for (int o0 = 0; o0 < out; o0 += band) {
                int width = Math.min(band, out - o0);
                for (int i = 0; i < in; i++) {
                    Widen.tensor(source.weight(), (long) i * out + o0, inputRow, 0, width);
                    for (int j = 0; j < width; j++) {
                        columns[j * in + i] = inputRow[j];
                    }
                }
                for (int j = 0; j < width; j++) {
                    type.quantize(columns, j * in, in, blocks, (o0 + j) * rowBytes);
                }
            }
        }
        QuantizedTensor weight = QuantizedTensor.of(type, Shape.of(out, in), blocks, 0);
        return new QuantizedLinear(weight, source.bias());
    }

    /** The weight, [out, in] blocks. */
    public QuantizedTensor weight() {
        return weight;
    }

    /** The block type: Q8_0, Q4_0 or Q6_K. */
    public BlockType type() {
        return weight.type();
    }

    /** The bias, or null. */
    public Tensor bias() {
        return bias;
    }

    /** Input features. */
    @Override
    public int in() {
        return in;
    }

    /** Output features. */
    @Override
    public int out() {
        return out;
    }

    @Override
    public String toString() {
        return "QuantizedLinear[" + in + " -> " + out + ", " + weight.type() + (bias == null ? "" : ", bias") + "]";
    }
}
