package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.util.Objects;

/**
 * A linear layer's parameters as they lie in the checkpoint: a 2-D weight in either orientation,
 * read in place, and an optional bias. {@link Matmul#linear} computes {@code y = x·W (+ b)} with
 * it, where {@code W} is the [in, out] matrix whichever way it is stored.
 *
 * <ul>
 *   <li>{@link Layout#OUT_IN}: weight stored [out, in], as PyTorch {@code nn.Linear} and GPT-NeoX;
 *   <li>{@link Layout#IN_OUT}: weight stored [in, out], as Hugging Face GPT-2's {@code Conv1D} and
 *       OpenAI's TensorFlow GPT-2.
 * </ul>
 */
public final class Linear implements LinearLayer {
    /** How the weight matrix is stored. */
    public enum Layout {
        /** [out, in]: each output's weights are one contiguous row. */
        OUT_IN,
        /** [in, out]: each input's weights are one contiguous row. */
        IN_OUT
    }

    private final Tensor weight;
    private final Tensor bias;
    private final Layout layout;
    private final int in;
    private final int out;
    /** {@link #f16Finite}: 0 not yet known, 1 finite, 2 not. */
    private volatile int f16Finite;
    private final Object f16FiniteLock = new Object();

    private Linear(Tensor weight, Tensor bias, Layout layout) {
        this(weight, bias, layout, false);
    }

    private Linear(Tensor weight, Tensor bias, Layout layout, boolean int8) {
        Objects.requireNonNull(weight, "weight");
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D, got " + weight);
        }
        DType d = weight.dtype();
        if (int8 ? d != DType.I8 : d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException("linear weight must be F32, F16 or BF16, got " + weight);
        }
        if (!weight.isContiguous()) {
            throw new IllegalArgumentException("linear weight must be contiguous, got " + weight);
        }
        long rows = weight.dim(0);
        long cols = weight.dim(1);
        long inDim = layout == Layout.OUT_IN ? cols : rows;
        long outDim = layout == Layout.OUT_IN ? rows : cols;
        if (inDim > Integer.MAX_VALUE || outDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linear weight too large: " + weight);
        }
        if (bias != null) {
            DType b = bias.dtype();
            if (bias.rank() != 1 || bias.dim(0) != outDim || !bias.isContiguous()
                    || (b != DType.F32 && b != DType.F16 && b != DType.BF16)) {
                throw new IllegalArgumentException("bias " + bias + " does not match weight " + weight + " ("
                        + layout + ", out = " + outDim + "; a contiguous F32/F16/BF16 vector is needed)");
            }
        }
        this.weight = weight;
        this.bias = bias;
        this.layout = layout;
        this.in = (int) inDim;
        this.out = (int) outDim;
    }

    /** A layer whose weight is stored [out, in] (PyTorch {@code nn.Linear}); {@code bias} may be null. */
    public static Linear outIn(Tensor weight, Tensor bias) {
        return new Linear(weight, bias, Layout.OUT_IN);
    }

    /** A layer whose weight is stored [in, out] (GPT-2 {@code Conv1D}); {@code bias} may be null. */
    public static Linear inOut(Tensor weight, Tensor bias) {
        return new Linear(weight, bias, Layout.IN_OUT);
    }

    /** The int8 weights of an {@link Int8Linear} ([out, in], no bias) as a layer the packed GEMM can read. */
    static Linear int8View(Tensor weight) {
        return new Linear(weight, null, Layout.OUT_IN, true);
    }

    /** The weight as stored. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, or null. */
    public Tensor bias() {
        return bias;
    }

    /** How the weight is stored. */
    public Layout layout() {
        return layout;
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

    /**
     * Whether an F16 weight holds no infinity or NaN, which lets the GEMV use a cheaper exact
     * conversion. Read once, on first use (a pass over the weight), then remembered; threads that
     * ask while it is being read wait for that one pass instead of making their own.
     */
    boolean f16Finite() {
        int known = f16Finite;
        if (known == 0) {
            synchronized (f16FiniteLock) {
                known = f16Finite;
                if (known == 0) {
                    known = Gemv.f16Finite(weight.segment(), weight.byteOffset(), weight.numel()) ? 1 : 2;
                    f16Finite = known;
                }
            }
        }
        return known == 1;
    }

    @Override
    public String toString() {
        return "Linear[" + in + " -> " + out + ", " + layout + ", " + weight.dtype() + (bias == null ? "" : ", bias") + "]";
    }
}
