package io.github.vectorlm.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A language model for tests whose logits are a function the test chooses, of the tokens in the
 * session: {@code logits(tokens, position)} for the token at {@code position}. Records every
 * forward call.
 */
final class FakeModel implements LanguageModel {
    /** The logits after the session holds {@code tokens[0 .. position]}. */
    @FunctionalInterface
    interface Logits {
        void fill(int[] tokens, int position, float[] out, int offset);
    }

    /** One forward call: how many tokens, whether all positions' logits were asked for, where the session stood. */
    record Call(int count, boolean all, int startPosition) {
    }

    private final int vocab;
    private final int context;
    private final Tokenizer tokenizer;
    private final Logits function;
    final List<Call> calls = new ArrayList<>();

    FakeModel(int vocab, int context, Tokenizer tokenizer, Logits function) {
        this.vocab = vocab;
        this.context = context;
        this.tokenizer = tokenizer;
        this.function = function;
    }

    @Override
    public String architecture() {
        return "fake";
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return context;
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    @Override
    public Session newSession(int capacity) {
        if (capacity < 1 || capacity > context) {
            throw new IllegalArgumentException("capacity " + capacity + " of a context of " + context);
        }
        return new FakeSession(capacity);
    }

    @Override
    public void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
        run(session, tokens, offset, count, logits, false);
    }

    @Override
    public void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
        run(session, tokens, offset, count, logits, true);
    }

    private void run(Session s, int[] tokens, int offset, int count, float[] logits, boolean all) {
        FakeSession session = (FakeSession) s;
        if (count < 1 || session.position + count > session.tokens.length) {
            throw new IllegalArgumentException("count " + count + " at position " + session.position + " of " + session.tokens.length);
        }
        if (logits.length < (all ? count * vocab : vocab)) {
            throw new IllegalArgumentException("logits too short");
        }
        calls.add(new Call(count, all, session.position));
        for (int i = 0; i < count; i++) {
            int id = tokens[offset + i];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token " + id);
            }
            session.tokens[session.position] = id;
            if (all) {
                function.fill(session.tokens, session.position, logits, i * vocab);
            } else if (i == count - 1) {
                function.fill(session.tokens, session.position, logits, 0);
            }
            session.position++;
        }
    }

    @Override
    public void close() {
    }

    private static final class FakeSession implements Session {
        final int[] tokens;
        int position;

        FakeSession(int capacity) {
            tokens = new int[capacity];
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public int capacity() {
            return tokens.length;
        }

        @Override
        public void reset() {
            position = 0;
            Arrays.fill(tokens, -1);
        }
    }
}
