package io.github.vectorlm.gpt2;

import io.github.vectorlm.decoder.DecoderModel;
import io.github.vectorlm.decoder.DecoderSession;
import io.github.vectorlm.decoder.DecoderStep;
import io.github.vectorlm.decoder.LayerProjections;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.decoder.Projection;
import io.github.vectorlm.decoder.TokenEmbedding;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Embeddings;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

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
    private final List<LayerProjections> blocks;
    private final TokenEmbedding tokens;
    private final Projection head;
    private final String quantization;

    /**
     * @param projections turns each matrix of the blocks into the projection the forward pass runs
     *     ({@link Projection#of} for weights as stored, or a quantized form)
     * @param head the tied head as the forward pass runs it (wte as stored, or a quantized copy)
     * @param quantization what {@code projections} quantizes to ("int8", "Q8_0", "Q4_0"), or ""
     * @param resources what to close with the model (the checkpoint the weights view, quantized
     *     copies), or null
     */
    Gpt2Model(Gpt2Config config, Gpt2Weights weights, Parallel parallel, Tokenizer tokenizer,
            Function<Linear, Projection> projections, Projection head, String quantization, AutoCloseable resources) {
        this(config, weights, runs(weights, projections), TokenEmbedding.of(weights.tokenEmbedding()), parallel,
                tokenizer, head, quantization, resources);
    }

    /**
     * A model whose blocks' matrices are already projections (a GGUF file's, some read in place as
     * blocks): {@code weights} gives the norms, biases and position table, {@code blocks} the
     * projections (their {@link LayerWeights} may hold null matrices), {@code tokens} the token table.
     */
    Gpt2Model(Gpt2Config config, Gpt2Weights weights, List<LayerProjections> blocks, TokenEmbedding tokens,
            Parallel parallel, Tokenizer tokenizer, Projection head, String quantization, AutoCloseable resources) {
        super(config.shape(), config.layers(), parallel, tokenizer, resources);
        this.config = config;
        this.weights = Objects.requireNonNull(weights, "weights");
        this.blocks = List.copyOf(blocks);
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.head = Objects.requireNonNull(head, "head");
        this.quantization = Objects.requireNonNull(quantization, "quantization");
    }

    private static List<LayerProjections> runs(Gpt2Weights weights, Function<Linear, Projection> projections) {
        List<LayerProjections> runs = new ArrayList<>();
        for (LayerWeights b : weights.blocks()) {
            runs.add(LayerProjections.of(b, projections));
        }
        return runs;
    }

    /**
     * What the blocks' matrices were quantized to at load.
     *
     * @return "int8", "Q8_0", "Q4_0", or "" for weights as stored
     */
    public String quantization() {
        return quantization;
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
    protected void embed(DecoderStep step, int firstRow, int[] tokens, int offset, int rows, int position) {
        int at = firstRow * config.embeddingSize();
        this.tokens.lookup(step.residual, at, tokens, offset, rows);
        Embeddings.addPositions(step.residual, at, weights.positionEmbedding(), position, rows);
    }

    /** One block over the step's rows: {@code x += attn(ln_1(x)); x += mlp(ln_2(x))}. */
    @Override
    protected void layer(DecoderStep step, int layer) {
        LayerProjections run = blocks.get(layer);
        LayerWeights b = run.weights();
        int d = config.embeddingSize();
        float eps = config.layerNormEpsilon();
        int rows = step.rows();

        Norms.layerNorm(step.normed, 0, step.residual, 0, rows, d, b.norm1Weight(), b.norm1Bias(), eps);
        step.project(step.qkv, step.normed, run.attention());
        // c_attn's outputs are [q | k | v]; each segment's keys and values go to its own cache
        for (int g = 0; g < step.segments(); g++) {
            DecoderSession s = step.session(g);
            int first = step.firstRow(g);
            int position = step.position(g);
            for (int r = 0; r < step.rows(g); r++) {
                int row = (first + r) * 3 * d;
                System.arraycopy(step.qkv, row, step.queries, (first + r) * d, d);
                System.arraycopy(step.qkv, row + d, s.keys[layer], (position + r) * d, d);
                System.arraycopy(step.qkv, row + 2 * d, s.values[layer], (position + r) * d, d);
            }
        }
        step.attend(layer, config.heads(), config.headSize());
        step.project(step.attentionOut, step.attended, run.attentionOutput());
        VectorMath.add(step.residual, 0, step.attentionOut, 0, rows * d);

        Norms.layerNorm(step.normed, 0, step.residual, 0, rows, d, b.norm2Weight(), b.norm2Bias(), eps);
        step.project(step.hidden, step.normed, run.mlpUp());
        int hiddenFloats = rows * config.innerSize();
        switch (config.activation()) {
            case GELU_TANH -> Activations.geluTanh(step.hidden, 0, hiddenFloats);
            case GELU_ERF -> Activations.geluErf(step.hidden, 0, hiddenFloats);
        }
        step.project(step.mlpOut, step.hidden, run.mlpDown());
        VectorMath.add(step.residual, 0, step.mlpOut, 0, rows * d);
    }

    /** ln_f. */
    @Override
    protected void finalNorm(DecoderStep step, int normedRow, int residualRow, int rows) {
        int d = config.embeddingSize();
        Norms.layerNorm(step.normed, normedRow * d, step.residual, residualRow * d, rows, d,
                weights.finalNormWeight(), weights.finalNormBias(), config.layerNormEpsilon());
    }

    /** The head tied to wte. */
    @Override
    protected Projection head() {
        return head;
    }

    @Override
    public String toString() {
        return "Gpt2Model[" + config + (quantization.isEmpty() ? "" : ", " + quantization) + "]";
    }
}
