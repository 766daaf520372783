package io.github.vectorlm.generation;

/**
 * The outcome of {@link Generator#generate}.
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
 */
public record GenerationResult(int[] promptIds, int[] ids, String text, StopReason stopReason, double prefillMillis,
        double decodeMillis, int decodeSteps) {
    /** Single-token forward passes per second during decoding (0 if there were none). */
    public double decodeTokensPerSecond() {
        return decodeSteps == 0 || decodeMillis <= 0 ? 0 : decodeSteps / (decodeMillis / 1000.0);
    }
}
