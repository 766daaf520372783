package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A linear layer quantized to int8 in the LLM.int8() style (Dettmers et al. 2022, as
 * bitsandbytes' {@code Linear8bitLt} does it):
 * <ul>
 *   <li>weights vector-wise: each output row {@code o} is scaled by its absolute maximum,
 *       {@code q[o, i] = round(127·W[o, i] / absmax_o)} (round half to even), stored [out, in]
 *       whatever the source layout — a quarter of the F32 bytes, half of F16;
 *   <li>activations row-wise at every call (see {@link Matmul#linear(float[], int, float[], int,
 *       int, Int8Linear, Parallel)}), after taking out the row's <em>outlier</em> input features: every
 *       element with {@code |x| > threshold} (6.0 by default) is computed in f32 against the
 *       <em>original</em> weights, which stay mapped, so keeping them costs no heap. Unlike
 *       bitsandbytes, which takes a column out for every row when one row has an outlier there,
 *       the decomposition is per row, so a row's result never depends on the rows computed with
 *       it (a sequence gives the same logits alone or in any batch).
 * </ul>
 * Immutable and shareable across threads.
 */
public final class Int8Linear implements LinearLayer {
    /** LLM.int8()'s default outlier threshold. */
    public static final float DEFAULT_THRESHOLD = 6.0f;

    private final Linear source;
    private final Tensor quantized;
    private final float[] scales;
    private final float threshold;
    private final Linear int8View;

    private Int8Linear(Linear source, Tensor quantized, float[] scales, float threshold) {
        this.source = source;
        this.quantized = quantized;
        this.scales = scales;
        this.threshold = threshold;
        this.int8View = Linear.int8View(quantized);
    }

    /** Quantizes {@code source} with the default outlier threshold, in memory the GC reclaims. */
    public static Int8Linear quantize(Linear source) {
        return quantize(source, DEFAULT_THRESHOLD, Arena.ofAuto());
    }

    /**
     * Quantizes {@code source}; the int8 weights are allocated in {@code arena}. A threshold of
     * {@code Float.POSITIVE_INFINITY} disables the outlier decomposition.
     *
     * @throws IllegalArgumentException if the threshold is not positive
     */
    public static Int8Linear quantize(Linear source, float threshold, Arena arena) {
        Objects.requireNonNull(source, "source");
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("int8 outlier threshold must be positive, got " + threshold);
        }
        int in = source.in();
        int out = source.out();
        Tensor q = Tensor.allocate(arena, DType.I8, out, in);
        MemorySegment qs = q.segment();
        float[] scales = new float[out];
        float[] row = new float[in];
        for (int o = 0; o < out; o++) {
            readOutputRow(source, o, row);
            float absmax = 0f;
            for (float v : row) {
                absmax = Math.max(absmax, Math.abs(v));
            }
            scales[o] = absmax / 127f;
            long base = (long) o * in;
            for (int i = 0; i < in; i++) {
                qs.set(ValueLayout.JAVA_BYTE, base + i, quantize(row[i], absmax));
            }
        }
        return new Int8Linear(source, q, scales, threshold);
    }

    /** {@code round(127·v/absmax)} half to even, as {@code torch.round}; 0 when the row is all zero. */
    static byte quantize(float v, float absmax) {
        if (absmax == 0f) {
            return 0;
        }
        return (byte) Math.rint(v * 127f / absmax);
    }

    /** Weights of output {@code o} in input order, whatever the source layout. */
    static void readOutputRow(Linear source, int o, float[] row) {
        Tensor w = source.weight();
        int in = source.in();
        if (source.layout() == Linear.Layout.OUT_IN) {
            Widen.tensor(w, (long) o * in, row, 0, in);
        } else {
            for (int i = 0; i < in; i++) {
                row[i] = Elements.get(w, (long) i * source.out() + o);
            }
        }
    }

    /** The layer this was quantized from: its weights serve the outlier columns, its bias is added. */
    public Linear source() {
        return source;
    }

    /** The int8 weights, [out, in]. */
    public Tensor quantizedWeight() {
        return quantized;
    }

    /** Dequantization scale of output {@code o}: {@code absmax_o / 127}. */
    public float scale(int o) {
        return scales[o];
    }

    /** Inputs with {@code |x|} above this are outliers, computed in f32. */
    public float threshold() {
        return threshold;
    }

    /** Input features. */
    @Override
    public int in() {
        return source.in();
    }

    /** Output features. */
    @Override
    public int out() {
        return source.out();
    }

    float[] scales() {
        return scales;
    }

    /** The int8 weights as an OUT_IN layer without bias, for the packed GEMM path. */
    Linear int8View() {
        return int8View;
    }

    @Override
    public String toString() {
        return "Int8Linear[" + source + ", threshold " + threshold + "]";
    }
}
