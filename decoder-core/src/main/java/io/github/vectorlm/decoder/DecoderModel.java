package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.ops.Parallel;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A decoder-only transformer: embed the new tokens, run them through every layer (each reading
 * and extending its KV cache), then the final norm and the head. This class holds what every such
 * model shares — the argument checks, the loop over prefill chunks, logits of the last or of every
 * position, sessions, an idempotent {@link #close} — and a model adds the three steps that are its
 * own: {@link #embed}, {@link #layer} and {@link #logits}.
 *
 * <p>Immutable and thread-safe: it holds the weights by reference and every per-sequence buffer
 * lives in the {@link DecoderSession}s it makes. Many tokens run as one batched prefill (the GEMM
 * path of the kernels, in chunks of at most {@link DecoderSession#MAX_CHUNK} positions), one token
 * as a decode step (the GEMV path). {@link #forward} runs only the last position through the final
 * norm and the head; {@link #forwardAll} runs all of them.
 */
public abstract class DecoderModel implements LanguageModel {
    private final DecoderShape shape;
    private final int cacheLayers;
    private final Tokenizer tokenizer;
    private final AutoCloseable resources;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The thread pool the kernels run on. */
    protected final Parallel parallel;

    /**
     * A model of {@code shape} whose sessions cache {@code cacheLayers} layers.
     *
     * @param shape the model's sizes
     * @param cacheLayers the layers {@link #layer} runs, in order (fewer than {@code shape.layers()}
     *     when only some were loaded)
     * @param parallel the thread pool the kernels run on
     * @param tokenizer the tokenizer found beside the weights, or null
     * @param resources what to close with the model (the checkpoint the weights view, copies of
     *     weights, a pool of its own), or null
     */
    protected DecoderModel(DecoderShape shape, int cacheLayers, Parallel parallel, Tokenizer tokenizer,
            AutoCloseable resources) {
        this.shape = Objects.requireNonNull(shape, "shape");
        if (cacheLayers < 1 || cacheLayers > shape.layers()) {
            throw new IllegalArgumentException(cacheLayers + " layers to run, of " + shape.layers());
        }
        this.cacheLayers = cacheLayers;
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        this.tokenizer = tokenizer;
        this.resources = resources;
    }

    /**
     * The model's sizes.
     *
     * @return the shape
     */
    public final DecoderShape shape() {
        return shape;
    }

    @Override
    public final int vocabSize() {
        return shape.vocabSize();
    }

    @Override
    public final int contextLength() {
        return shape.contextLength();
    }

    @Override
    public final Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /**
     * A session whose KV cache holds {@code capacity} positions: 2 × layers × capacity × width floats,
     * and whose prefills run in chunks of {@link DecoderSession#MAX_CHUNK} positions.
     */
    @Override
    public final Session newSession(int capacity) {
        return newSession(capacity, DecoderSession.MAX_CHUNK);
    }

    /**
     * A session of {@code capacity} positions whose prefills run in chunks of at most
     * {@code maxChunk} positions: its workspace takes memory in proportion to the chunk.
     *
     * @param capacity the most positions the session holds
     * @param maxChunk the most positions one pass through the layers takes
     * @return the session
     * @throws IllegalArgumentException unless {@code 1 <= capacity <= contextLength()} and {@code maxChunk >= 1}
     * @throws IllegalStateException if the model is closed
     */
    public final DecoderSession newSession(int capacity, int maxChunk) {
        checkOpen();
        return new DecoderSession(this, shape, cacheLayers, parallel, capacity, maxChunk);
    }

    @Override
    public final void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        DecoderSession s = check(session, tokens, offset, count, logits, shape.vocabSize());
        run(s, tokens, offset, count, logits, false);
    }

    @Override
    public final void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        DecoderSession s = check(session, tokens, offset, count, logits, (long) count * shape.vocabSize());
        run(s, tokens, offset, count, logits, true);
    }

    /**
     * Writes the embeddings of {@code rows} tokens, the first at {@code position}, into
     * {@code s.residual} rows 0 to {@code rows}.
     *
     * @param s the session
     * @param tokens the token ids
     * @param offset where the chunk's ids start in {@code tokens}
     * @param rows how many positions
     * @param position the sequence position of the first
     */
    protected abstract void embed(DecoderSession s, int[] tokens, int offset, int rows, int position);

    /**
     * Runs one transformer layer over {@code rows} positions from {@code position}: reads and
     * updates {@code s.residual}, appends to the layer's KV cache.
     *
     * @param s the session
     * @param layer the layer's index among those run (its cache is {@code s.keys[layer]})
     * @param rows how many positions
     * @param position the sequence position of the first
     */
    protected abstract void layer(DecoderSession s, int layer, int rows, int position);

    /**
     * The final norm and the head over {@code rows} rows of {@code s.residual} from
     * {@code firstRow}: writes [rows, vocab] logits into {@code logits} from {@code logitsOffset}.
     *
     * @param s the session
     * @param firstRow the first residual row
     * @param rows how many rows
     * @param logits where the logits go
     * @param logitsOffset the index of the first logit
     */
    protected abstract void logits(DecoderSession s, int firstRow, int rows, float[] logits, int logitsOffset);

    private void run(DecoderSession s, int[] tokens, int offset, int count, float[] logits, boolean allPositions) {
        int vocab = shape.vocabSize();
        int start = s.position();
        for (int done = 0; done < count; ) {
            int rows = Math.min(s.chunk(), count - done);
            int position = start + done;
            embed(s, tokens, offset + done, rows, position);
            for (int l = 0; l < cacheLayers; l++) {
                layer(s, l, rows, position);
            }
            if (allPositions) {
                logits(s, 0, rows, logits, done * vocab);
            } else if (done + rows == count) {
                logits(s, rows - 1, 1, logits, 0);
            }
            done += rows;
        }
        s.advance(count);
    }

    /**
     * Checks the arguments of {@link #forward} or {@link #forwardAll} against the contract of
     * {@link LanguageModel} before anything runs, so that a refused call leaves the session as it was.
     */
    private DecoderSession check(Session session, int[] tokens, int offset, int count, float[] logits,
            long logitsNeeded) {
        if (!(session instanceof DecoderSession s) || !s.belongsTo(this)) {
            throw new IllegalArgumentException("session " + session + " was not made by this model");
        }
        checkOpen();
        if (count < 1) {
            throw new IllegalArgumentException("forward of " + count + " tokens");
        }
        if (offset < 0 || offset > tokens.length - count) {
            throw new IllegalArgumentException("tokens [" + offset + ", " + ((long) offset + count)
                    + ") outside an array of " + tokens.length);
        }
        if (count > s.capacity() - s.position()) {
            throw new IllegalArgumentException(count + " more tokens do not fit: the session holds "
                    + s.position() + " of " + s.capacity() + " positions");
        }
        if (logits.length < logitsNeeded) {
            throw new IllegalArgumentException("logits array of " + logits.length + " floats, need " + logitsNeeded);
        }
        int vocab = shape.vocabSize();
        for (int i = offset; i < offset + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary of " + vocab);
            }
        }
        return s;
    }

    /** A closed model's weights are unmapped: refuse before any kernel could read them. */
    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the model is closed: its weights are released, so it makes no"
                    + " sessions and its sessions cannot run; load it again");
        }
    }

    /**
     * Closes what the model holds (the checkpoint the weights view, copies, its own pool), once;
     * later calls do nothing. Sessions of this model become unusable: {@link #forward} and
     * {@link #newSession} then throw {@link IllegalStateException}. Close a model only when no
     * thread is running it (a forward pass that is running when its weights are released stops with
     * an {@link IllegalStateException} from the JDK, which never reads released memory).
     */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true) && resources != null) {
            try {
                resources.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resources, e);
            }
        }
    }
}
