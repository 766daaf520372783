package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Generator#generate}.
 *
 * <p>The id arrays are the record's own copies: {@link #promptIds()} and {@link #ids()} return
 * copies too, and {@code equals}, {@code hashCode} and {@code toString} compare and print their
 * contents.
 *
 * @param promptIds the prompt's ids
 * @param ids every generated id, in order, including a stop token that ended the generation and
 *     the tokens that made a stop string (as Hugging Face's {@code generate} returns them)
 * @param text the generated text (without the prompt): the decoded ids without a final stop token,
 *     cut just before a stop string; empty when there is no tokenizer
 * @param stopReason why the generation ended
 * @param prefillMillis wall time of the prompt's forward pass
 * @param decodeMillis wall time from the end of the prefill to the end of the generation
 * @param decodeSteps how many single-token forward passes ran (generated tokens fed back)
 * @param logprobs each generated id's log-probabilities, in order, when {@link
 *     GenerationOptions#logprobs()} asked for them; empty otherwise
 */
public record GenerationResult(int[] promptIds, int[] ids, String text, StopReason stopReason, double prefillMillis,
        double decodeMillis, int decodeSteps, List<TokenLogprobs> logprobs) {
    /** Copies the id arrays and the list. */
    public GenerationResult {
        promptIds = promptIds.clone();
        ids = ids.clone();
        logprobs = List.copyOf(logprobs);
    }

    /** A result without log-probabilities. */
    public GenerationResult(int[] promptIds, int[] ids, String text, StopReason stopReason, double prefillMillis,
            double decodeMillis, int decodeSteps) {
        this(promptIds, ids, text, stopReason, prefillMillis, decodeMillis, decodeSteps, List.of());
    }

    /**
     * The prompt's ids.
     *
     * @return a copy
     */
    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    /**
     * Every generated id, in order.
     *
     * @return a copy
     */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** Single-token forward passes per second during decoding (0 if there were none). */
    public double decodeTokensPerSecond() {
        return decodeSteps == 0 || decodeMillis <= 0 ? 0 : decodeSteps / (decodeMillis / 1000.0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && Arrays.equals(promptIds, r.promptIds) && Arrays.equals(ids, r.ids)
                && text.equals(r.text) && stopReason == r.stopReason
                && Double.compare(prefillMillis, r.prefillMillis) == 0
                && Double.compare(decodeMillis, r.decodeMillis) == 0 && decodeSteps == r.decodeSteps && logprobs.equals(r.logprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(promptIds), Arrays.hashCode(ids), text, stopReason, prefillMillis,
                decodeMillis, decodeSteps, logprobs);
    }

    @Override
    public String toString() {
        return "GenerationResult[promptIds=" + Arrays.toString(promptIds) + ", ids=" + Arrays.toString(ids)
                + ", text=" + text + ", stopReason=" + stopReason + ", prefillMillis=" + prefillMillis
                + ", decodeMillis=" + decodeMillis + ", decodeSteps=" + decodeSteps + ", logprobs=" + logprobs + "]";
    }
}
