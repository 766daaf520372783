package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.Objects;

/**
 * The work of one pass of a {@link LanguageModel} over several sessions: each entry appends a run
 * of tokens to its own session (one token: a decode step; several: a chunk of a prompt) and asks
 * for the logits of its last position or of all of them. {@link LanguageModel#forward(Batch)} runs
 * the entries together, reading the weights once for all of them; each session's results are
 * bit-identical to what {@link LanguageModel#forward} gives it alone.
 *
 * <p>A batch is made by {@link LanguageModel#newBatch} with room for a number of positions, holds
 * the model's workspace for that many, and is reused step after step: {@link #clear}, {@link #add}
 * the entries, run. Adding allocates nothing once the batch has held as many entries. Not
 * thread-safe: one thread fills and runs it.
 */
public class Batch {
    private final int maxRows;
    private int size;
    private int rows;
    private Session[] sessions = new Session[8];
    private int[][] tokens = new int[8][];
    private int[] offsets = new int[8];
    private int[] counts = new int[8];
    private float[][] logits = new float[8][];
    private int[] logitsOffsets = new int[8];
    private boolean[] allPositions = new boolean[8];
    private Runnable betweenLayers;

    /**
     * An empty batch of at most {@code maxRows} positions.
     *
     * @param maxRows the most positions one pass takes, over all entries
     * @throws IllegalArgumentException if {@code maxRows < 1}
     */
    protected Batch(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a batch of " + maxRows + " positions");
        }
        this.maxRows = maxRows;
    }

    /**
     * How many positions of a prompt the next chunk takes, given {@code remaining} positions left
     * and at most {@code maxChunk} per pass: never leaves a single position for a chunk of its own.
     * One position alone runs with the decode arithmetic, several with the prefill arithmetic;
     * cutting a prompt of two or more positions this way runs every one of them with the prefill
     * arithmetic, so its results do not depend on the chunk size. When {@code maxChunk} is too
     * small for that (2 of 3 remaining would leave one; 1 of 2 or more), it returns 1 while more
     * than one position remains: the caller should wait for a pass with more room.
     *
     * @param remaining positions of the prompt not yet run, at least 1
     * @param maxChunk the most positions of one pass, at least 1
     * @return the positions of the next chunk, 1 to {@code min(remaining, maxChunk)}
     */
    public static int nextChunk(int remaining, int maxChunk) {
        if (remaining < 1 || maxChunk < 1) {
            throw new IllegalArgumentException("chunk of " + remaining + " positions by at most " + maxChunk);
        }
        int rows = Math.min(remaining, maxChunk);
        if (remaining - rows == 1) {
            rows--; // two remain for the next chunk
        }
        return Math.max(rows, 1);
    }

    /**
     * The most positions one pass takes.
     *
     * @return the row capacity
     */
    public final int maxRows() {
        return maxRows;
    }

    /**
     * Positions free in this pass.
     *
     * @return {@code maxRows() - rows()}
     */
    public final int freeRows() {
        return maxRows - rows;
    }

    /**
     * Sets what runs at the pauses of this batch's passes: a model that runs the batch layer by
     * layer calls {@link #pause} between layers (others may never call it). The engine uses it to
     * run a new prompt's pass inside a long one, so that its first token does not wait for the
     * pass in flight. The action runs on the thread that runs the pass; it may run passes of
     * other batches of the same model over other sessions, but must not touch this batch or its
     * sessions. Results do not change: a pass's arithmetic does not depend on what runs between
     * its layers.
     *
     * @param action the action, or {@code null} for none
     */
    public final void onPause(Runnable action) {
        this.betweenLayers = action;
    }

    /** Called by the model between the layers of a pass of this batch: runs the {@link #onPause} action, if any. */
    public final void pause() {
        Runnable action = betweenLayers;
        if (action != null) {
            action.run();
        }
    }

    /** Forgets every entry, keeping the buffers. */
    public final void clear() {
        Arrays.fill(sessions, 0, size, null);
        Arrays.fill(tokens, 0, size, null);
        Arrays.fill(logits, 0, size, null);
        size = 0;
        rows = 0;
    }

    /**
     * Adds an entry: append {@code tokens[offset .. offset+count)} to {@code session}, and write
     * the logits of the last of them into {@code logits[logitsOffset .. + vocabSize)} or, when
     * {@code allPositions}, of every one of them ([count, vocabSize] floats). The arrays are read
     * and written when the batch runs, not copied now. The model checks the tokens, the session's
     * room and the logits' length when it runs the batch, before it changes anything.
     *
     * @throws IllegalArgumentException if {@code count < 1}, the batch has no room for
     *     {@code count} more positions, or {@code session} is already in the batch
     */
    public final void add(Session session, int[] tokens, int offset, int count, float[] logits, int logitsOffset,
            boolean allPositions) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(logits, "logits");
        if (count < 1) {
            throw new IllegalArgumentException("a batch entry of " + count + " tokens");
        }
        if (count > maxRows - rows) {
            throw new IllegalArgumentException(count + " more positions do not fit: the batch holds " + rows + " of "
                    + maxRows);
        }
        for (int i = 0; i < size; i++) {
            if (sessions[i] == session) {
                throw new IllegalArgumentException("session " + session + " is already in the batch");
            }
        }
        if (size == sessions.length) {
            int n = size * 2;
            sessions = Arrays.copyOf(sessions, n);
            this.tokens = Arrays.copyOf(this.tokens, n);
            offsets = Arrays.copyOf(offsets, n);
            counts = Arrays.copyOf(counts, n);
            this.logits = Arrays.copyOf(this.logits, n);
            logitsOffsets = Arrays.copyOf(logitsOffsets, n);
            this.allPositions = Arrays.copyOf(this.allPositions, n);
        }
        sessions[size] = session;
        this.tokens[size] = tokens;
        offsets[size] = offset;
        counts[size] = count;
        this.logits[size] = logits;
        logitsOffsets[size] = logitsOffset;
        this.allPositions[size] = allPositions;
        size++;
        rows += count;
    }

    /**
     * Entries added since the last {@link #clear}.
     *
     * @return the entry count
     */
    public final int size() {
        return size;
    }

    /**
     * Positions of all entries together.
     *
     * @return the row count
     */
    public final int rows() {
        return rows;
    }

    /**
     * @param i an entry's index
     * @return its session
     */
    public final Session session(int i) {
        return sessions[check(i)];
    }

    /**
     * @param i an entry's index
     * @return its token array
     */
    public final int[] tokens(int i) {
        return tokens[check(i)];
    }

    /**
     * @param i an entry's index
     * @return where its tokens start in {@link #tokens}
     */
    public final int offset(int i) {
        return offsets[check(i)];
    }

    /**
     * @param i an entry's index
     * @return how many tokens it appends
     */
    public final int count(int i) {
        return counts[check(i)];
    }

    /**
     * @param i an entry's index
     * @return the array its logits go to
     */
    public final float[] logits(int i) {
        return logits[check(i)];
    }

    /**
     * @param i an entry's index
     * @return the index of its first logit
     */
    public final int logitsOffset(int i) {
        return logitsOffsets[check(i)];
    }

    /**
     * @param i an entry's index
     * @return whether it asks for the logits of every position, not only the last
     */
    public final boolean allPositions(int i) {
        return allPositions[check(i)];
    }

    private int check(int i) {
        Objects.checkIndex(i, size);
        return i;
    }

    @Override
    public String toString() {
        return "Batch[" + size + " entries, " + rows + "/" + maxRows + " positions]";
    }
}
