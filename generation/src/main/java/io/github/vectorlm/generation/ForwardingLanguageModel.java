package io.github.vectorlm.generation;

import java.util.Objects;
import java.util.Optional;

/**
 * A model that passes every call on to another one, for wrappers that change or watch a few of
 * them (report progress, count positions, run something before a pass) and leave the rest as the
 * wrapped model has them: a subclass overrides only what it changes. Every method is forwarded,
 * the interface's default ones included, so the wrapped model's own batches and session sizes are
 * the ones used.
 *
 * <p>{@link #close()} does nothing: the wrapped model belongs to whoever made it. A wrapper that
 * owns its model overrides it.
 */
public abstract class ForwardingLanguageModel implements LanguageModel {
    private final LanguageModel delegate;

    /**
     * @param delegate the model the calls go to
     */
    protected ForwardingLanguageModel(LanguageModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The model the calls go to.
     *
     * @return the wrapped model
     */
    protected final LanguageModel delegate() {
        return delegate;
    }

    @Override
    public String architecture() {
        return delegate.architecture();
    }

    @Override
    public int vocabSize() {
        return delegate.vocabSize();
    }

    @Override
    public int contextLength() {
        return delegate.contextLength();
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return delegate.tokenizer();
    }

    @Override
    public Session newSession() {
        return delegate.newSession();
    }

    @Override
    public Session newSession(int capacity) {
        return delegate.newSession(capacity);
    }

    @Override
    public void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        delegate.forward(session, tokens, offset, count, logits);
    }

    @Override
    public void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        delegate.forwardAll(session, tokens, offset, count, logits);
    }

    @Override
    public long sessionBytes(int capacity) {
        return delegate.sessionBytes(capacity);
    }

    @Override
    public Batch newBatch(int maxRows) {
        return delegate.newBatch(maxRows);
    }

    @Override
    public void forward(Batch batch) {
        delegate.forward(batch);
    }

    /** Does nothing: the wrapped model belongs to whoever made it. */
    @Override
    public void close() {
    }
}
