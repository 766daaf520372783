package io.github.vectorlm.generation;

import java.util.ArrayList;
import java.util.List;

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
    private final int vocabSize;
    private final int topLogprobs;
    private final List<TokenLogprobs> logprobs;
    private final LogitAdjuster adjuster;
    /** The model's own logits, kept for the log-probabilities while the adjuster changes the row. */
    private final float[] modelLogits;
    private int last = -1;

    /**
     * @throws IllegalArgumentException if the logit bias names an id outside the vocabulary
     */
    Sequence(int vocabSize, Tokenizer tokenizer, GenerationOptions options, int[] stopTokens, int capacity) {
        this.maxNewTokens = options.maxNewTokens();
        this.stopTokens = stopTokens;
        this.sampler = new Sampler(vocabSize, options.sampling());
        this.decoder = tokenizer == null ? null : tokenizer.streamingDecoder();
        this.filter = new StopStringFilter(options.stopStrings());
        this.generated = new IntList(Math.min(options.maxNewTokens(), capacity) + 1);
        this.vocabSize = vocabSize;
        this.topLogprobs = options.logprobs();
        this.logprobs = topLogprobs < 0 ? List.of() : new ArrayList<>();
        this.adjuster = options.adjustsLogits() ? new LogitAdjuster(vocabSize, options) : null;
        this.modelLogits = adjuster != null && topLogprobs >= 0 ? new float[vocabSize] : null;
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
        float[] own = topLogprobs < 0 ? null : logits;
        if (adjuster != null) {
            if (own != null) {
                System.arraycopy(logits, 0, modelLogits, 0, vocabSize);
                own = modelLogits;
            }
            adjuster.adjust(logits);
        }
        int id = sampler.sample(logits);
        if (adjuster != null) {
            adjuster.count(id);
        }
        TokenLogprobs lp = own == null ? null : TokenLogprobs.of(own, 0, vocabSize, id, topLogprobs);
        if (lp != null) {
            logprobs.add(lp);
        }
        last = id;
        generated.add(id);
        for (int t : stopTokens) {
            if (t == id) {
                listener.onToken(id, "", lp);
                return StopReason.STOP_TOKEN;
            }
        }
        String released = filter.offer(decoder == null ? "" : decoder.next(id));
        listener.onToken(id, released, lp);
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
            listener.onToken(TokenListener.END, rest, null);
        }
        return filter.stopped() ? StopReason.STOP_STRING : reason;
    }

    /** The ids generated so far. */
    int[] ids() {
        return generated.toArray();
    }

    /** Each generated id's log-probabilities, when asked for; empty otherwise. */
    List<TokenLogprobs> logprobs() {
        return logprobs;
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
