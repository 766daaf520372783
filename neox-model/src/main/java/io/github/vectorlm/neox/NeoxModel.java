package io.github.vectorlm.neox;

import io.github.vectorlm.decoder.DecoderModel;
import io.github.vectorlm.decoder.DecoderSession;
import io.github.vectorlm.decoder.DecoderStep;
import io.github.vectorlm.decoder.Projection;
import io.github.vectorlm.decoder.TokenEmbedding;
import io.github.vectorlm.decoder.LayerProjections;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Embeddings;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.Rope;
import io.github.vectorlm.tensor.ops.RopeTable;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * GPT-NeoX: the input embedding, pre-LN layers, the final LayerNorm and the output projection.
 * Each layer runs attention (query_key_value, split per head as [n_heads, 3, head_dim], rotary
 * embedding on the first {@link NeoxConfig#rotaryDims()} dims of each query and key head in the
 * rotate-half form, causal attention over the KV cache, attention.dense) and the MLP
 * (dense_h_to_4h → GELU → dense_4h_to_h), combined as a parallel residual
 * {@code x + attn(ln1(x)) + mlp(ln2(x))} or sequentially, as the config says.
 *
 * <p>Immutable and thread-safe (see {@link DecoderModel}: sessions, chunked prefill, argument
 * checks); this class is the layer math. Load one with {@link NeoxLoader} (or
 * {@code LanguageModels.load}).
 */
public final class NeoxModel extends DecoderModel {
    /** What {@link #architecture()} says: {@value}. */
    public static final String ARCHITECTURE = "gpt-neox";

    private final NeoxConfig config;
    private final NeoxWeights weights;
    private final List<LayerProjections> layers;
    private final TokenEmbedding tokens;
    private final boolean qkvByHead;
    private final Projection head;
    private final RopeTable rope;
    private final String quantization;

    /**
     * @param projections turns each matrix of the layers into the projection the forward pass runs
     *     ({@link Projection#of} for weights as stored, or a quantized form)
     * @param head the output projection as the forward pass runs it ({@code weights.head()}, or a
     *     16-bit or Q8_0 copy of it)
     * @param quantization what {@code projections} quantizes to ("int8", "Q8_0", "Q4_0"), or ""
     * @param resources what to close with the model (the checkpoint the weights view, the arena of
     *     merged or quantized copies), or null
     */
    NeoxModel(NeoxConfig config, NeoxWeights weights, Parallel parallel, Tokenizer tokenizer,
            Function<Linear, Projection> projections, Projection head, String quantization,
            AutoCloseable resources) {
        this(config, weights, runs(weights, projections), TokenEmbedding.of(weights.embedding()), true, parallel,
                tokenizer, head, quantization, resources);
    }

    /**
     * A model whose layers' matrices are already projections (a GGUF file's, some read in place
     * as blocks).
     *
     * @param layers the projections (their {@link LayerWeights} may hold null matrices)
     * @param tokens the token table
     * @param qkvByHead whether query_key_value's outputs are [n_heads, 3, head_dim] (Hugging Face,
     *     NeoX); else [3, n_heads, head_dim], q then k then v, as llama.cpp's converter reorders them
     */
    NeoxModel(NeoxConfig config, NeoxWeights weights, List<LayerProjections> layers, TokenEmbedding tokens,
            boolean qkvByHead, Parallel parallel, Tokenizer tokenizer, Projection head, String quantization,
            AutoCloseable resources) {
        super(config.shape(), weights.layers().size(), parallel, tokenizer, resources);
        this.config = config;
        this.weights = Objects.requireNonNull(weights, "weights");
        this.quantization = Objects.requireNonNull(quantization, "quantization");
        this.layers = List.copyOf(layers);
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.qkvByHead = qkvByHead;
        this.head = Objects.requireNonNull(head, "head");
        this.rope = config.rotaryDims() == 0 ? null
                : RopeTable.create(config.rotaryDims(), config.rotaryBase(), config.maxPositions());
    }

    private static List<LayerProjections> runs(NeoxWeights weights, Function<Linear, Projection> projections) {
        List<LayerProjections> runs = new ArrayList<>();
        for (LayerWeights l : weights.layers()) {
            runs.add(LayerProjections.of(l, projections));
        }
        return runs;
    }

    /**
     * The config the model was built from.
     *
     * @return the config
     */
    public NeoxConfig config() {
        return config;
    }

    /**
     * The transformer layers loaded: all of them unless a layer filter was given.
     *
     * @return their indices, in order
     */
    public int[] loadedLayers() {
        int[] out = new int[weights.layers().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = weights.layers().get(i).index();
        }
        return out;
    }

    /**
     * Whether the layers' matrices run in int8.
     *
     * @return true when loaded with {@code LoadOptions.withInt8(true)}
     */
    public boolean int8() {
        return quantization.equals("int8");
    }

    /**
     * What the layers' matrices were quantized to at load.
     *
     * @return "int8", "Q8_0", "Q4_0", or "" for weights as stored
     */
    public String quantization() {
        return quantization;
    }

    /**
     * The input embedding as held.
     *
     * @return a view of the checkpoint, or the merged copy
     */
    public Tensor embedding() {
        return weights.embedding();
    }

    @Override
    public String architecture() {
        return ARCHITECTURE;
    }

    @Override
    protected void embed(DecoderStep step, int firstRow, int[] tokens, int offset, int rows, int position) {
        this.tokens.lookup(step.residual, firstRow * config.hiddenSize(), tokens, offset, rows);
    }

    @Override
    protected void layer(DecoderStep step, int cacheIndex) {
        LayerProjections run = layers.get(cacheIndex);
        LayerWeights w = run.weights();
        int d = config.hiddenSize();
        int heads = config.heads();
        int headDim = config.headDim();
        float eps = config.layerNormEps();
        int rows = step.rows();

        Norms.layerNorm(step.normed, 0, step.residual, 0, rows, d, w.norm1Weight(), w.norm1Bias(), eps);
        step.project(step.qkv, step.normed, run.attention());
        // query_key_value's outputs are [n_heads, 3, head_dim]: q, k, v of head h are rows h·3·hd + {0, 1, 2}·hd;
        // a GGUF's are [3, n_heads, head_dim]: q, k, v of head h at {0, 1, 2}·d + h·hd
        int stride = qkvByHead ? 3 * headDim : headDim;
        int part = qkvByHead ? headDim : d;
        for (int g = 0; g < step.segments(); g++) {
            DecoderSession s = step.session(g);
            float[] keys = s.keys[cacheIndex];
            float[] values = s.values[cacheIndex];
            int first = step.firstRow(g);
            int position = step.position(g);
            int count = step.rows(g);
            for (int r = 0; r < count; r++) {
                int cacheRow = (position + r) * d;
                for (int h = 0; h < heads; h++) {
                    int src = (first + r) * 3 * d + h * stride;
                    int dst = h * headDim;
                    System.arraycopy(step.qkv, src, step.queries, (first + r) * d + dst, headDim);
                    System.arraycopy(step.qkv, src + part, keys, cacheRow + dst, headDim);
                    System.arraycopy(step.qkv, src + 2 * part, values, cacheRow + dst, headDim);
                }
            }
            if (rope != null) {
                Rope.apply(step.queries, first * d, count, heads, headDim, position, rope);
                Rope.apply(keys, position * d, count, heads, headDim, position, rope);
            }
        }
        step.attend(cacheIndex, heads, headDim);
        step.project(step.attentionOut, step.attended, run.attentionOutput());

        int n = rows * d;
        if (config.parallelResidual()) {
            // x + attn(ln1(x)) + mlp(ln2(x)), summed as Hugging Face does: (mlp + attn) + x
            mlp(step, run, step.residual);
            VectorMath.add(step.attentionOut, 0, step.mlpOut, 0, n);
            VectorMath.add(step.residual, 0, step.attentionOut, 0, n);
        } else {
            // h = x + attn(ln1(x)); h + mlp(ln2(h))
            VectorMath.add(step.residual, 0, step.attentionOut, 0, n);
            mlp(step, run, step.residual);
            VectorMath.add(step.residual, 0, step.mlpOut, 0, n);
        }
    }

    private void mlp(DecoderStep step, LayerProjections run, float[] x) {
        LayerWeights w = run.weights();
        int d = config.hiddenSize();
        int rows = step.rows();
        Norms.layerNorm(step.normed, 0, x, 0, rows, d, w.norm2Weight(), w.norm2Bias(), config.layerNormEps());
        step.project(step.hidden, step.normed, run.mlpUp());
        int n = rows * config.intermediateSize();
        switch (config.activation()) {
            case GELU_ERF -> Activations.geluErf(step.hidden, 0, n);
            case GELU_TANH -> Activations.geluTanh(step.hidden, 0, n);
        }
        step.project(step.mlpOut, step.hidden, run.mlpDown());
    }

    /** The final LayerNorm. */
    @Override
    protected void finalNorm(DecoderStep step, int normedRow, int residualRow, int rows) {
        int d = config.hiddenSize();
        Norms.layerNorm(step.normed, normedRow * d, step.residual, residualRow * d, rows, d, weights.finalNormWeight(),
                weights.finalNormBias(), config.layerNormEps());
    }

    /** embed_out. */
    @Override
    protected Projection head() {
        return head;
    }

    @Override
    public String toString() {
        return "NeoxModel[" + config.summary() + (layers.size() == config.layers() ? ""
                : ", layers loaded " + Arrays.toString(loadedLayers())) + (quantization.isEmpty() ? "" : ", " + quantization) + "]";
    }
}
