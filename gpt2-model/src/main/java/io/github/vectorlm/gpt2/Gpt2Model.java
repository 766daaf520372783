package io.github.vectorlm.gpt2;

import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.gpt2.Gpt2Weights.Block;
import io.github.vectorlm.tensor.ops.Activations;
import io.github.vectorlm.tensor.ops.Attention;
import io.github.vectorlm.tensor.ops.Embeddings;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Norms;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GPT-2: token and position embeddings, pre-LN blocks (ln_1 → fused qkv → causal attention over
 * the KV cache → c_proj → residual; ln_2 → c_fc → GELU → c_proj → residual), ln_f, and the LM head
 * tied to the token embedding.
 *
 * <p>Immutable and thread-safe: it holds the weights by reference (views of the mapped checkpoint)
 * and every per-sequence buffer lives in the sessions it makes. Many tokens run as one batched
 * prefill (the GEMM path of {@link Matmul}, in chunks of at most 256 positions), one token as a
 * decode step (the GEMV path). {@link #forward} runs only the last position through ln_f and the
 * head; {@link #forwardAll} runs all of them.
 *
 * <p>Load one with {@link Gpt2Loader} (or {@code LanguageModels.load}).
 */
public final class Gpt2Model implements LanguageModel {
    private final Gpt2Config config;
    private final Gpt2Weights weights;
    private final Parallel parallel;
    private final Tokenizer tokenizer;
    private final AutoCloseable resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param resources what to close with the model (the checkpoint the weights view), or null
     */
    Gpt2Model(Gpt2Config config, Gpt2Weights weights, Parallel parallel, Tokenizer tokenizer,
            AutoCloseable resources) {
        this.config = Objects.requireNonNull(config, "config");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        this.tokenizer = tokenizer;
        this.resources = resources;
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
        return "gpt2";
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** A session whose KV cache holds {@code capacity} positions: 2 × n_layer × capacity × n_embd floats. */
    @Override
    public Session newSession(int capacity) {
        return new Gpt2Session(this, parallel, capacity);
    }

    @Override
    public void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        Gpt2Session s = check(session, tokens, offset, count, logits, config.vocabSize());
        run(s, tokens, offset, count, logits, false);
    }

    @Override
    public void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        Gpt2Session s = check(session, tokens, offset, count, logits, (long) count * config.vocabSize());
        run(s, tokens, offset, count, logits, true);
    }

    /** Validates everything up front, so a refused call leaves the session as it was. */
    private Gpt2Session check(Session session, int[] tokens, int offset, int count, float[] logits,
            long logitsNeeded) {
        if (!(session instanceof Gpt2Session s) || s.model != this) {
            throw new IllegalArgumentException("session " + session + " was not made by this model");
        }
        LanguageModel.checkForward(s, tokens, offset, count, logits, logitsNeeded, config.vocabSize());
        return s;
    }

    private void run(Gpt2Session s, int[] tokens, int offset, int count, float[] logits, boolean allPositions) {
        int d = config.embeddingSize();
        int vocab = config.vocabSize();
        float eps = config.layerNormEpsilon();
        int start = s.position();
        for (int done = 0; done < count; ) {
            int rows = Math.min(s.chunk, count - done);
            int position = start + done;
            Embeddings.lookup(s.residual, 0, weights.tokenEmbedding(), tokens, offset + done, rows);
            Embeddings.addPositions(s.residual, 0, weights.positionEmbedding(), position, rows);
            for (int l = 0; l < weights.blocks().size(); l++) {
                block(s, l, rows, position);
            }
            if (allPositions) {
                Norms.layerNorm(s.normed, 0, s.residual, 0, rows, d, weights.finalNormWeight(),
                        weights.finalNormBias(), eps);
                Matmul.linear(logits, done * vocab, s.normed, 0, rows, weights.head(), parallel);
            } else if (done + rows == count) {
                Norms.layerNorm(s.normed, 0, s.residual, (rows - 1) * d, 1, d, weights.finalNormWeight(),
                        weights.finalNormBias(), eps);
                Matmul.linear(logits, 0, s.normed, 0, 1, weights.head(), parallel);
            }
            done += rows;
        }
        s.advance(count);
    }

    /** One block over {@code rows} positions from {@code position}; reads and updates {@code s.residual}. */
    private void block(Gpt2Session s, int layer, int rows, int position) {
        Block b = weights.blocks().get(layer);
        int d = config.embeddingSize();
        float eps = config.layerNormEpsilon();
        float[] keys = s.keys[layer];
        float[] values = s.values[layer];

        Norms.layerNorm(s.normed, 0, s.residual, 0, rows, d, b.norm1Weight(), b.norm1Bias(), eps);
        Matmul.linear(s.qkv, 0, s.normed, 0, rows, b.attention(), parallel);
        for (int r = 0; r < rows; r++) {
            int row = r * 3 * d;
            System.arraycopy(s.qkv, row, s.queries, r * d, d);
            System.arraycopy(s.qkv, row + d, keys, (position + r) * d, d);
            System.arraycopy(s.qkv, row + 2 * d, values, (position + r) * d, d);
        }
        Attention.causal(s.attended, 0, s.queries, 0, rows, position, keys, values, config.heads(),
                config.headSize(), s.attentionScratch, parallel);
        Matmul.linear(s.normed, 0, s.attended, 0, rows, b.attentionOutput(), parallel);
        VectorMath.add(s.residual, 0, s.normed, 0, rows * d);

        Norms.layerNorm(s.normed, 0, s.residual, 0, rows, d, b.norm2Weight(), b.norm2Bias(), eps);
        Matmul.linear(s.hidden, 0, s.normed, 0, rows, b.mlpUp(), parallel);
        int hiddenFloats = rows * config.innerSize();
        switch (config.activation()) {
            case GELU_TANH -> Activations.geluTanh(s.hidden, 0, hiddenFloats);
            case GELU_ERF -> Activations.geluErf(s.hidden, 0, hiddenFloats);
        }
        Matmul.linear(s.normed, 0, s.hidden, 0, rows, b.mlpDown(), parallel);
        VectorMath.add(s.residual, 0, s.normed, 0, rows * d);
    }

    /** Closes the checkpoint the weights view (once; later calls do nothing); sessions of this model become unusable. */
    @Override
    public void close() {
        if (resources != null && closed.compareAndSet(false, true)) {
            try {
                resources.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resources, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Gpt2Model[" + config + "]";
    }
}
