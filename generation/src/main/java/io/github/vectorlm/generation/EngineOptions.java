package io.github.vectorlm.generation;

/**
 * How an {@link Engine} schedules its work.
 *
 * @param maxSequences the most sequences in flight (decoding or prefilling); more wait in order
 * @param maxStepRows the most positions one pass of the model takes (decode steps count one each)
 * @param prefillChunk the most prompt positions one sequence adds to a pass, so that a long prompt
 *     runs over several passes beside the running streams instead of stalling them
 * @param memoryBytes the most bytes of KV cache all sequences in flight hold together; a request
 *     waits while its cache does not fit beside the others', and is refused when it never can
 */
public record EngineOptions(int maxSequences, int maxStepRows, int prefillChunk, long memoryBytes) {
    /** Sequences in flight by default. */
    public static final int DEFAULT_SEQUENCES = 16;
    /** Prompt positions per sequence and pass by default. */
    public static final int DEFAULT_PREFILL_CHUNK = 64;

    /**
     * @throws IllegalArgumentException if a bound is below 1, or {@code prefillChunk} below 3 (a
     *     prompt is never cut so that one position runs alone: see {@link Batch#nextChunk})
     */
    public EngineOptions {
        if (maxSequences < 1 || maxStepRows < 1 || memoryBytes < 1) {
            throw new IllegalArgumentException("engine options must be positive: " + maxSequences + " sequences, "
                    + maxStepRows + " positions per pass, " + memoryBytes + " bytes");
        }
        if (prefillChunk < 3) {
            throw new IllegalArgumentException("a prefill chunk of " + prefillChunk + " positions: at least 3");
        }
    }

    /**
     * Defaults for {@code model}: {@link #DEFAULT_SEQUENCES} sequences, a pass of that many decode
     * steps plus one prefill chunk, and the caches of that many full-context sequences or half of
     * the heap's free room, whichever is less.
     *
     * @param model the model the engine runs
     * @return the options
     */
    public static EngineOptions defaults(LanguageModel model) {
        return forSequences(model, DEFAULT_SEQUENCES);
    }

    /**
     * As {@link #defaults} for {@code sequences} sequences in flight.
     *
     * @param model the model the engine runs
     * @param sequences the most sequences in flight
     * @return the options
     */
    public static EngineOptions forSequences(LanguageModel model, int sequences) {
        if (sequences < 1) {
            throw new IllegalArgumentException(sequences + " sequences in flight");
        }
        Runtime rt = Runtime.getRuntime();
        long heapRoom = (rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) / 2;
        long full = Math.max(1, model.sessionBytes(model.contextLength())) * sequences;
        return new EngineOptions(sequences, sequences + DEFAULT_PREFILL_CHUNK, DEFAULT_PREFILL_CHUNK,
                Math.max(1, Math.min(full, heapRoom)));
    }

    /**
     * These options with {@code bytes} of KV-cache budget.
     *
     * @param bytes the budget
     * @return the options
     */
    public EngineOptions withMemoryBytes(long bytes) {
        return new EngineOptions(maxSequences, maxStepRows, prefillChunk, bytes);
    }

    /**
     * These options with prompts cut into chunks of at most {@code positions}.
     *
     * @param positions the chunk
     * @return the options
     */
    public EngineOptions withPrefillChunk(int positions) {
        return new EngineOptions(maxSequences, Math.max(maxStepRows, maxSequences + positions), positions,
                memoryBytes);
    }
}
