package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.Batch;
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
 * model shares — the argument checks, the loop over prefill chunks, batches of many sessions,
 * logits of the last or of every position, sessions, an idempotent {@link #close} — and a model
 * adds what is its own: {@link #embed}, {@link #layer}, {@link #finalNorm} and {@link #head}, each
 * over the rows of a {@link DecoderStep}.
 *
 * <p>Immutable and thread-safe: it holds the weights by reference and every per-sequence buffer
 * lives in the {@link DecoderSession}s it makes (or in a {@link Batch}'s workspace). A session's
 * tokens run in one of two arithmetics, chosen by the tokens themselves and never by what else
 * runs: one new token alone is a decode step (one-row products); two or more are a prefill
 * (GEMM arithmetic, in chunks of at most {@link DecoderSession#MAX_CHUNK} positions cut by
 * {@link Batch#nextChunk}, which never leaves one position alone). So a sequence's logits are bit
 * for bit the same alone, in any batch, in chunks of any size of at least 3, and on any number of
 * threads. {@link #forward} runs only the last position through the final norm and the head;
 * {@link #forwardAll} runs all of them.
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

    /**
     * Bytes of a session of {@code capacity} positions: its KV cache, 2 × layers × capacity × width floats.
     */
    @Override
    public final long sessionBytes(int capacity) {
        return 2L * cacheLayers * capacity * shape.width() * Float.BYTES;
    }

    @Override
    public final void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        DecoderSession s = check(session, tokens, offset, count, logits, 0, shape.vocabSize());
        run(s, tokens, offset, count, logits, false);
    }

    @Override
    public final void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        DecoderSession s = check(session, tokens, offset, count, logits, 0, (long) count * shape.vocabSize());
        run(s, tokens, offset, count, logits, true);
    }

    /**
     * A batch of at most {@code maxRows} positions per pass, with its workspace, for sessions of
     * up to the whole context.
     */
    @Override
    public final Batch newBatch(int maxRows) {
        checkOpen();
        return new DecoderBatch(this, new DecoderStep(shape, parallel, maxRows, shape.contextLength()), maxRows);
    }

    /**
     * Runs the batch in one pass: the one-position entries (decode steps) with the one-row
     * arithmetic, the weights read once for all of them; the longer ones (prompt chunks) with the
     * GEMM's; attention per session over its own cache. Every entry is checked before anything runs.
     */
    @Override
    public final void forward(Batch batch) {
        if (!(batch instanceof DecoderBatch b) || !b.belongsTo(this)) {
            throw new IllegalArgumentException("batch " + batch + " was not made by this model");
        }
        int vocab = shape.vocabSize();
        for (int i = 0; i < batch.size(); i++) {
            long needed = batch.allPositions(i) ? (long) batch.count(i) * vocab : vocab;
            check(batch.session(i), batch.tokens(i), batch.offset(i), batch.count(i), batch.logits(i),
                    batch.logitsOffset(i), needed);
        }
        if (batch.size() == 0) {
            return;
        }
        DecoderStep step = b.step();
        step.clear();
        int[] order = b.order();
        int n = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (batch.count(i) == 1) {
                order[n++] = i;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.count(i) > 1) {
                order[n++] = i;
            }
        }
        for (int g = 0; g < n; g++) {
            int i = order[g];
            step.add((DecoderSession) batch.session(i), batch.count(i));
        }
        for (int g = 0; g < n; g++) {
            int i = order[g];
            embed(step, step.firstRow(g), batch.tokens(i), batch.offset(i), batch.count(i), step.position(g));
        }
        for (int l = 0; l < cacheLayers; l++) {
            layer(step, l);
            batch.pause(); // the engine may run a new prompt's pass here, over other sessions
        }
        // the logits of each entry's last position, in one pass over the head
        int d = shape.width();
        int last = 0;
        for (int g = 0; g < n; g++) {
            int i = order[g];
            if (lastPositionOnly(batch, i)) {
                finalNorm(step, last, step.firstRow(g) + step.rows(g) - 1, 1);
                last++;
            }
        }
        if (last == 1) {
            for (int g = 0; g < n; g++) {
                int i = order[g];
                if (lastPositionOnly(batch, i)) {
                    head().applyEachRow(batch.logits(i), batch.logitsOffset(i), step.normed, 0, 1, parallel);
                }
            }
        } else if (last > 1) {
            float[] lastLogits = step.lastLogits(last);
            head().applyEachRow(lastLogits, 0, step.normed, 0, last, parallel);
            int k = 0;
            for (int g = 0; g < n; g++) {
                int i = order[g];
                if (lastPositionOnly(batch, i)) {
                    System.arraycopy(lastLogits, k++ * vocab, batch.logits(i), batch.logitsOffset(i), vocab);
                }
            }
        }
        // every position's logits of the longer entries that ask for them
        for (int g = 0; g < n; g++) {
            int i = order[g];
            if (!lastPositionOnly(batch, i)) {
                finalNorm(step, 0, step.firstRow(g), step.rows(g));
                head().apply(batch.logits(i), batch.logitsOffset(i), step.normed, 0, step.rows(g), parallel);
            }
        }
        for (int g = 0; g < n; g++) {
            step.session(g).advance(step.rows(g));
        }
        step.clear();
    }

    /**
     * Whether entry {@code i} runs only its last position through the head, with the other entries'
     * last positions and the one-row arithmetic: it asked for no more, or it has one position.
     */
    private static boolean lastPositionOnly(Batch batch, int i) {
        return !batch.allPositions(i) || batch.count(i) == 1;
    }

    /**
     * Writes the embeddings of {@code rows} tokens, the first at {@code position}, into
     * {@code step.residual} from row {@code firstRow}.
     *
     * @param step the step
     * @param firstRow the first row of the step to write
     * @param tokens the token ids
     * @param offset where the segment's ids start in {@code tokens}
     * @param rows how many positions
     * @param position the sequence position of the first
     */
    protected abstract void embed(DecoderStep step, int firstRow, int[] tokens, int offset, int rows, int position);

    /**
     * Runs one transformer layer over every row of the step: reads and updates
     * {@code step.residual}, appends each segment's keys and values to its session's cache of the
     * layer ({@code step.session(g).keys[layer]}) at the segment's positions.
     *
     * @param step the step
     * @param layer the layer's index among those run
     */
    protected abstract void layer(DecoderStep step, int layer);

    /**
     * The final norm of {@code rows} residual rows from {@code residualRow} into
     * {@code step.normed} from row {@code normedRow}.
     *
     * @param step the step
     * @param normedRow the first output row
     * @param residualRow the first input row
     * @param rows how many rows
     */
    protected abstract void finalNorm(DecoderStep step, int normedRow, int residualRow, int rows);

    /**
     * The LM head: normed rows to logits.
     *
     * @return the head
     */
    protected abstract Projection head();

    private void layers(DecoderStep step) {
        for (int l = 0; l < cacheLayers; l++) {
            layer(step, l);
        }
    }

    /** One session alone: its prompt in chunks ({@link Batch#nextChunk}), each one segment of its own step. */
    private void run(DecoderSession s, int[] tokens, int offset, int count, float[] logits, boolean allPositions) {
        int vocab = shape.vocabSize();
        DecoderStep step = s.step();
        for (int done = 0; done < count; ) {
            int rows = Batch.nextChunk(count - done, s.chunk());
            step.clear();
            step.add(s, rows);
            embed(step, 0, tokens, offset + done, rows, s.position());
            layers(step);
            if (allPositions) {
                finalNorm(step, 0, 0, rows);
                head().apply(logits, done * vocab, step.normed, 0, rows, parallel);
            } else if (done + rows == count) {
                finalNorm(step, 0, rows - 1, 1);
                head().apply(logits, 0, step.normed, 0, 1, parallel);
            }
            s.advance(rows);
            done += rows;
        }
        step.clear();
    }

    /**
     * Checks the arguments of {@link #forward} or {@link #forwardAll} against the contract of
     * {@link LanguageModel} before anything runs, so that a refused call leaves the session as it was.
     */
    private DecoderSession check(Session session, int[] tokens, int offset, int count, float[] logits,
            int logitsOffset, long logitsNeeded) {
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
        if (logitsOffset < 0 || logits.length - (long) logitsOffset < logitsNeeded) {
            throw new IllegalArgumentException("logits array of " + logits.length + " floats from " + logitsOffset
                    + ", need " + logitsNeeded);
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
