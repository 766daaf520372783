package io.github.vectorlm.generation;

import java.util.Objects;

/**
 * The generation loop: the prompt runs through the model in one batched forward pass (prefill),
 * then each sampled token is fed back one at a time (decode), streaming ids and text to a
 * {@link TokenListener}.
 *
 * <pre>{@code
 * Generator generator = new Generator(model);
 * GenerationResult r = generator.generate("Hello, my name is",
 *         GenerationOptions.of(64, new SamplingOptions(0.8, 40, 0.95, 42)),
 *         (id, text) -> System.out.print(text));
 * }</pre>
 *
 * <p>Generation ends at the first of: {@code maxNewTokens} tokens generated; a stop token
 * generated; a stop string in the generated text (the prompt is not searched); the context full.
 *
 * <p><b>Context limit:</b> generation stops, it does not crop. A session holds at most
 * {@link LanguageModel#contextLength()} tokens; every generated token except the last is fed
 * back, so a prompt of {@code P} tokens in a context of {@code C} yields at most
 * {@code C - P + 1} new tokens, and then the result says {@link StopReason#CONTEXT_FULL}. (Cropping
 * the way nanoGPT does would re-run the last tokens without their earlier context on every step,
 * which changes the model's predictions and costs a full prefill per token.) A prompt longer than
 * the context is refused.
 *
 * <p>A generator owns one session and its buffers, reused by each call that fits it: use one
 * generator per thread. The model can be shared. The session holds the prompt and the new tokens
 * (rounded up to 256 positions, at most the context), so a short job does not pay memory for a KV
 * cache of the whole context.
 */
public final class Generator {
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final float[] logits;
    private final int[] one = new int[1];
    private Session session;
    /** Sessions are sized in steps of this many positions, so that similar jobs reuse one. */
    private static final int SESSION_STEP = 256;

    /** A generator on {@code model} with the tokenizer found beside it, if any. */
    public Generator(LanguageModel model) {
        this(model, model.tokenizer().orElse(null));
    }

    /** A generator on {@code model} decoding with {@code tokenizer} (null: ids only, no text). */
    public Generator(LanguageModel model, Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = tokenizer;
        this.logits = new float[model.vocabSize()];
    }

    /**
     * Encodes {@code prompt} and generates from it.
     *
     * @throws IllegalStateException if there is no tokenizer
     */
    public GenerationResult generate(String prompt, GenerationOptions options, TokenListener listener) {
        if (tokenizer == null) {
            throw new IllegalStateException("no tokenizer: pass the prompt as ids, or give the generator a tokenizer");
        }
        return generate(tokenizer.encode(prompt), options, listener);
    }

    /**
     * Generates from the prompt {@code promptIds}.
     *
     * @throws IllegalArgumentException if the prompt is empty or longer than the context, or an id
     *     is outside the model's vocabulary
     */
    public GenerationResult generate(int[] promptIds, GenerationOptions options, TokenListener listener) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        int capacity = model.contextLength();
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (GPT-2 starts unconditional text with <|endoftext|>)");
        }
        if (promptIds.length > capacity) {
            throw new IllegalArgumentException("the prompt has " + promptIds.length + " tokens but the context holds " + capacity);
        }
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= model.vocabSize()) {
                throw new IllegalArgumentException("token id " + promptIds[i] + " at index " + i
                        + " is outside the vocabulary of " + model.vocabSize());
            }
        }
        int[] prompt = promptIds.clone();
        if (options.maxNewTokens() == 0) {
            return new GenerationResult(prompt, new int[0], "", StopReason.MAX_TOKENS, 0, 0, 0);
        }
        int needed = sessionCapacity(prompt.length, options.maxNewTokens(), capacity);
        if (session == null || session.capacity() < needed) {
            session = model.newSession(needed);
        }
        session.reset();
        Sequence sequence = new Sequence(model.vocabSize(), tokenizer, options, Sequence.stopTokens(options, tokenizer),
                capacity);
        long start = System.nanoTime();
        model.forward(session, prompt, 0, prompt.length, logits);
        long prefilled = System.nanoTime();
        int steps = 0;
        StopReason reason;
        while ((reason = sequence.next(logits, listener, session.position() >= session.capacity())) == null) {
            one[0] = sequence.last();
            model.forward(session, one, 0, 1, logits);
            steps++;
        }
        reason = sequence.finish(listener, reason);
        long end = System.nanoTime();
        return new GenerationResult(prompt, sequence.ids(), sequence.text(), reason,
                (prefilled - start) / 1e6, (end - prefilled) / 1e6, steps, sequence.logprobs());
    }

    /** The tokenizer, if any. */
    public java.util.Optional<Tokenizer> tokenizer() {
        return java.util.Optional.ofNullable(tokenizer);
    }

    /** The model. */
    public LanguageModel model() {
        return model;
    }

    /**
     * Positions a session needs for a prompt and up to {@code maxNewTokens} more (the last token
     * sampled is never run through the model), rounded up to a step and capped at the context: the
     * KV cache of a short job stays small.
     */
    static int sessionCapacity(int promptLength, int maxNewTokens, int contextLength) {
        long needed = (long) promptLength + maxNewTokens;
        long rounded = (needed + SESSION_STEP - 1) / SESSION_STEP * SESSION_STEP;
        return (int) Math.min(rounded, contextLength);
    }
}
