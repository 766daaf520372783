package io.github.vectorlm.gpt2;

import io.github.vectorlm.decoder.DecoderModel;
import io.github.vectorlm.decoder.DecoderSession;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Embeddings;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.util.Objects;

/**
 * GPT-2: token and position embeddings, pre-LN blocks (ln_1 → fused qkv → causal attention over
 * the KV cache → c_proj → residual; ln_2 → c_fc → GELU → c_proj → residual), ln_f, and the LM head
 * tied to the token embedding.
 *
 * <p>Immutable and thread-safe (see {@link DecoderModel}: sessions, chunked prefill, argument
 * checks); this class is the block math. Load one with {@link Gpt2Loader} (or
 * {@code LanguageModels.load}).
 */
public final class Gpt2Model extends DecoderModel {
    /** What {@link #architecture()} says: {@value}. */
    public static final String ARCHITECTURE = "gpt2";

    private final Gpt2Config config;
    private final Gpt2Weights weights;

    /**
     * @param resources what to close with the model (the checkpoint the weights view), or null
     */
    Gpt2Model(Gpt2Config config, Gpt2Weights weights, Parallel parallel, Tokenizer tokenizer,
            AutoCloseable resources) {
        super(config.shape(), config.layers(), parallel, tokenizer, resources);
        this.config = config;
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /**
     * The config the model was built from.
     *
     * @return the config
     */
    public Gpt2Config config() {
        return config;
    }

    /** The weights, views of the checkpoint. */
    Gpt2Weights weights() {
        return weights;
    }

    @Override
    public String architecture() {
        return ARCHITECTURE;
    }

    @Override
    protected void embed(DecoderSession s, int[] tokens, int offset, int rows, int position) {
        Embeddings.lookup(s.residual, 0, weights.tokenEmbedding(), tokens, offset, rows);
        Embeddings.addPositions(s.residual, 0, weights.positionEmbedding(), position, rows);
    }

    /** One block over {@code rows} positions from {@code position}: {@code x += attn(ln_1(x)); x += mlp(ln_2(x))}. */
    @Override
    protected void layer(DecoderSession s, int layer, int rows, int position) {
        LayerWeights b = weights.blocks().get(layer);
        int d = config.embeddingSize();
        float eps = config.layerNormEpsilon();
        float[] keys = s.keys[layer];
        float[] values = s.values[layer];

        Norms.layerNorm(s.normed, 0, s.residual, 0, rows, d, b.norm1Weight(), b.norm1Bias(), eps);
        Matmul.linear(s.qkv, 0, s.normed, 0, rows, b.attention(), parallel);
        // c_attn's outputs are [q | k | v]
        for (int r = 0; r < rows; r++) {
            int row = r * 3 * d;
            System.arraycopy(s.qkv, row, s.queries, r * d, d);
            System.arraycopy(s.qkv, row + d, keys, (position + r) * d, d);
            System.arraycopy(s.qkv, row + 2 * d, values, (position + r) * d, d);
        }
        Attention.causal(s.attended, 0, s.queries, 0, rows, position, keys, values, config.heads(),
                config.headSize(), s.attentionScratch, parallel);
        Matmul.linear(s.attentionOut, 0, s.attended, 0, rows, b.attentionOutput(), parallel);
        VectorMath.add(s.residual, 0, s.attentionOut, 0, rows * d);

        Norms.layerNorm(s.normed, 0, s.residual, 0, rows, d, b.norm2Weight(), b.norm2Bias(), eps);
        Matmul.linear(s.hidden, 0, s.normed, 0, rows, b.mlpUp(), parallel);
        int hiddenFloats = rows * config.innerSize();
        switch (config.activation()) {
            case GELU_TANH -> Activations.geluTanh(s.hidden, 0, hiddenFloats);
            case GELU_ERF -> Activations.geluErf(s.hidden, 0, hiddenFloats);
        }
        Matmul.linear(s.mlpOut, 0, s.hidden, 0, rows, b.mlpDown(), parallel);
        VectorMath.add(s.residual, 0, s.mlpOut, 0, rows * d);
    }

    /** ln_f, then the head tied to wte. */
    @Override
    protected void logits(DecoderSession s, int firstRow, int rows, float[] logits, int logitsOffset) {
        int d = config.embeddingSize();
        Norms.layerNorm(s.normed, 0, s.residual, firstRow * d, rows, d, weights.finalNormWeight(),
                weights.finalNormBias(), config.layerNormEpsilon());
        Matmul.linear(logits, logitsOffset, s.normed, 0, rows, weights.head(), parallel);
    }

    @Override
    public String toString() {
        return "Gpt2Model[" + config + "]";
    }
}
