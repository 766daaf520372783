package io.github.vectorlm.cli;

import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.StopReason;
import java.util.Locale;

/**
 * What {@code generate} checks before it prints anything, and what it tells after: a prompt the
 * model cannot take is refused before the prompt is echoed to stdout, and a generation cut short by
 * the context is explained on stderr.
 */
final class GenerationChecks {
    private GenerationChecks() {
    }

    /**
     * Refuses a prompt the model cannot run: empty, longer than the context, or holding an id
     * outside the vocabulary (worded as the models word it).
     */
    static void checkPrompt(int[] promptIds, LanguageModel model) {
        if (promptIds.length == 0) {
            throw new CliException("the prompt is empty",
                    "give at least one token (GPT-2 starts unconditional text with --ids 50256, <|endoftext|>)");
        }
        int context = model.contextLength();
        if (promptIds.length > context) {
            throw new CliException("the prompt has " + promptIds.length + " tokens but the model's context holds "
                    + context, "shorten the prompt to at most " + (context - 1) + " tokens to leave room for new ones");
        }
        checkVocabulary(promptIds, model.vocabSize(), "vocabulary");
    }

    /**
     * Refuses ids outside {@code [0, vocabSize)}, in the words the models use:
     * {@code token id 99999 at index 1 is outside the vocabulary of 50304}.
     *
     * @param what "vocabulary", or "tokenizer's vocabulary"
     */
    static void checkVocabulary(int[] ids, int vocabSize, String what) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new CliException("token id " + ids[i] + " at index " + i + " is outside the " + what + " of "
                        + vocabSize, "ids run from 0 to " + (vocabSize - 1));
            }
        }
    }

    /**
     * The line that says why a generation stopped before {@code maxNewTokens} for want of room,
     * or null when it did not: the context is full.
     */
    static String earlyStopNote(GenerationResult result, int maxNewTokens, int contextLength) {
        if (result.stopReason() != StopReason.CONTEXT_FULL) {
            return null;
        }
        int prompt = result.promptIds().length;
        int generated = result.ids().length;
        return String.format(Locale.ROOT, "vectorlm: stopped after %d of %d new tokens: the model's context of %d tokens "
                + "is full (the prompt has %d)", generated, maxNewTokens, contextLength, prompt);
    }

    /** {@code 12.3 tokens/s}, or words saying there was no decode step to time. */
    static String decodeRate(GenerationResult result) {
        return result.decodeSteps() == 0
                ? "no decode step (the one token came from the prompt's pass)"
                : String.format(Locale.ROOT, "decode %.1f tokens/s", result.decodeTokensPerSecond());
    }
}
