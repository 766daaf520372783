package io.github.vectorlm.cli;

import io.github.vectorlm.decoder.DecoderSession;
import io.github.vectorlm.generation.ForwardingLanguageModel;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.ProgressListener;
import io.github.vectorlm.generation.Session;

/**
 * A model that reports, as the progress of one task, how many positions its forward passes have
 * run: the CLI wraps the loaded model in it so that a long prefill ({@code generate}) or a long
 * text ({@code score}) shows a bar on stderr (see {@link ProgressDisplay}); the {@code Generator}
 * and {@code Scorer} need not know.
 *
 * <p>{@link #expect} starts a task of a known number of positions; forward calls count towards it
 * until it is complete, then run unreported. A {@link #forward} call longer than the session's
 * prefill chunk ({@link DecoderSession#chunk()}) is run one chunk per call, so progress moves
 * during one long prompt; the model would cut the call into the same chunks, so the hidden states
 * and the logits are the same (each chunk but the last also computes its last row's logits, a
 * row of the head per chunk of positions). Calls the model would refuse are passed on whole, so a
 * refused call still leaves the session as it was. Batches run unreported; closing it leaves the
 * model open (the command closes the model it loaded).
 */
final class ProgressReportingModel extends ForwardingLanguageModel {
    private final ProgressListener listener;
    private String task;
    private long done;
    private long total;

    /**
     * @param model the model that runs
     * @param listener where progress goes
     */
    ProgressReportingModel(LanguageModel model, ProgressListener listener) {
        super(model);
        this.listener = listener;
    }

    /** Starts {@code task}: the next {@code positions} positions run count towards it. */
    void expect(String task, long positions) {
        this.task = positions > 0 ? task : null;
        this.done = 0;
        this.total = positions;
        if (this.task != null) {
            listener.progress(task, 0, positions);
        }
    }

    /**
     * Positions a {@code Scorer} with this window and stride runs for {@code n} tokens (its class
     * comment defines the windows): each window runs its tokens but the last.
     */
    static long scoredPositions(int n, int window, int stride) {
        if (n < 2 || window < 2 || stride < 1 || stride >= window) {
            throw new IllegalArgumentException("n " + n + ", window " + window + ", stride " + stride);
        }
        long positions = 0;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + window, n);
            positions += end - 1 - begin;
            if (end == n) {
                return positions;
            }
        }
    }

    @Override
    public void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        int chunk = session instanceof DecoderSession d ? d.chunk() : count;
        if (task == null || count <= chunk || !runsWhole(session, tokens, offset, count)) {
            delegate().forward(session, tokens, offset, count, logits);
            advance(count);
            return;
        }
        for (int i = 0; i < count; i += chunk) {
            int rows = Math.min(chunk, count - i);
            delegate().forward(session, tokens, offset + i, rows, logits);
            advance(rows);
        }
    }

    @Override
    public void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        delegate().forwardAll(session, tokens, offset, count, logits);
        advance(count);
    }

    /** Whether the model takes the whole call (so cutting it leaves nothing half done). */
    private boolean runsWhole(Session session, int[] tokens, int offset, int count) {
        if (offset < 0 || count < 1 || offset > tokens.length - count || count > session.capacity() - session.position()) {
            return false;
        }
        int vocab = delegate().vocabSize();
        for (int i = offset; i < offset + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                return false;
            }
        }
        return true;
    }

    private void advance(int positions) {
        if (task == null) {
            return;
        }
        done = Math.min(total, done + positions);
        listener.progress(task, done, total);
        if (done >= total) {
            task = null;
        }
    }
}
