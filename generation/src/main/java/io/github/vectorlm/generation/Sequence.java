package io.github.vectorlm.generation;

/**
 * One sequence being generated, between two passes of the model: its sampler, its text decoding
 * and the stop rules. {@link Generator} and {@link Engine} both go through it, so a request gets
 * the same tokens, text and stop reason from either.
 */
final class Sequence {
    private final int maxNewTokens;
    private final int[] stopTokens;
    private final Sampler sampler;
    private final Tokenizer.StreamingDecoder decoder;
    private final StopStringFilter filter;
    private final IntList generated;
    private int last = -1;

    Sequence(int vocabSize, Tokenizer tokenizer, GenerationOptions options, int[] stopTokens, int capacity) {
        this.maxNewTokens = options.maxNewTokens();
        this.stopTokens = stopTokens;
        this.sampler = new Sampler(vocabSize, options.sampling());
        this.decoder = tokenizer == null ? null : tokenizer.streamingDecoder();
        this.filter = new StopStringFilter(options.stopStrings());
        this.generated = new IntList(Math.min(options.maxNewTokens(), capacity) + 1);
    }

    /** The stop tokens of {@code options}: its own, else the tokenizer's end of text, else none. */
    static int[] stopTokens(GenerationOptions options, Tokenizer tokenizer) {
        if (options.stopTokens() != null) {
            return options.stopTokens().stream().mapToInt(Integer::intValue).toArray();
        }
        if (tokenizer != null && tokenizer.endOfText().isPresent()) {
            return new int[] {tokenizer.endOfText().getAsInt()};
        }
        return new int[0];
    }

    /**
     * Samples the next token from {@code logits}, streams it (with the text it releases) to
     * {@code listener}, and says why the sequence stops now, or null when the model should run
     * the token.
     *
     * @param contextFull whether the session has no room for the token
     */
    StopReason next(float[] logits, TokenListener listener, boolean contextFull) {
        int id = sampler.sample(logits);
        last = id;
        generated.add(id);
        for (int t : stopTokens) {
            if (t == id) {
                listener.onToken(id, "");
                return StopReason.STOP_TOKEN;
            }
        }
        String released = filter.offer(decoder == null ? "" : decoder.next(id));
        listener.onToken(id, released);
        if (filter.stopped()) {
            return StopReason.STOP_STRING;
        }
        if (generated.size() == maxNewTokens) {
            return StopReason.MAX_TOKENS;
        }
        return contextFull ? StopReason.CONTEXT_FULL : null;
    }

    /** The token {@link #next} sampled last. */
    int last() {
        return last;
    }

    /** Streams what the decoder and the stop filter still hold; returns the final stop reason. */
    StopReason finish(TokenListener listener, StopReason reason) {
        if (filter.stopped()) {
            return reason;
        }
        String rest = filter.offer(decoder == null ? "" : decoder.flush());
        rest += filter.finish();
        if (!rest.isEmpty()) {
            listener.onToken(TokenListener.END, rest);
        }
        return filter.stopped() ? StopReason.STOP_STRING : reason;
    }

    /** The ids generated so far. */
    int[] ids() {
        return generated.toArray();
    }

    /** How many ids were generated. */
    int count() {
        return generated.size();
    }

    /** The text released to the listener so far. */
    String text() {
        return filter.releasedText();
    }
}
