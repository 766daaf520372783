package io.github.vectorlm.generation;

import java.util.Map;

/**
 * OpenAI's logit bias and presence/frequency penalties for one sequence ({@link
 * GenerationOptions}): keeps the count of each generated id and adjusts a row of logits in place.
 * Allocates only when made.
 */
final class LogitAdjuster {
    private final int[] biasIds;
    private final float[] biasValues;
    private final double presence;
    private final double frequency;
    private final int[] counts;
    private final int[] seen;
    private int seenCount;

    /** @throws IllegalArgumentException if the bias names an id outside {@code [0, vocabSize)} */
    LogitAdjuster(int vocabSize, GenerationOptions options) {
        Map<Integer, Float> bias = options.logitBias();
        this.biasIds = new int[bias.size()];
        this.biasValues = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : new java.util.TreeMap<>(bias).entrySet()) {
            int id = e.getKey();
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("logit bias for token id " + id + ", outside the vocabulary of "
                        + vocabSize);
            }
            biasIds[i] = id;
            biasValues[i++] = e.getValue();
        }
        this.presence = options.presencePenalty();
        this.frequency = options.frequencyPenalty();
        boolean penalised = presence != 0 || frequency != 0;
        this.counts = penalised ? new int[vocabSize] : null;
        this.seen = penalised ? new int[vocabSize] : null;
    }

    /** Adds the bias and subtracts the penalties of the ids generated so far. */
    void adjust(float[] logits) {
        for (int i = 0; i < biasIds.length; i++) {
            logits[biasIds[i]] += biasValues[i];
        }
        for (int i = 0; i < seenCount; i++) {
            int id = seen[i];
            logits[id] = (float) (logits[id] - counts[id] * frequency - presence);
        }
    }

    /** Notes that {@code id} was generated. */
    void count(int id) {
        if (counts != null && counts[id]++ == 0) {
            seen[seenCount++] = id;
        }
    }
}
