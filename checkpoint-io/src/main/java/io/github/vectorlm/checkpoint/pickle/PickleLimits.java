package io.github.vectorlm.checkpoint.pickle;

/**
 * Bounds that keep a hostile pickle from exhausting memory: a pickle can only grow the stack and
 * the memo one opcode at a time, but a small file of opcodes could still ask for millions.
 *
 * @param maxStack most objects on the stack, and most open {@code MARK}s, at once
 * @param maxMemo most memo entries
 * @param maxNameChars longest tensor name (a path through deeply nested containers)
 * @param maxTotalNameChars most characters in all tensor names together
 */
public record PickleLimits(int maxStack, int maxMemo, int maxNameChars, long maxTotalNameChars) {
    /** Checks that every bound is positive. */
    public PickleLimits {
        if (maxStack <= 0 || maxMemo <= 0 || maxNameChars <= 0 || maxTotalNameChars <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxStack + ", " + maxMemo
                    + ", " + maxNameChars + ", " + maxTotalNameChars);
        }
    }

    /**
     * Far above what real checkpoints use (a state dict needs a stack as deep as its nesting and
     * about ten memo entries per tensor), far below what would exhaust a default heap.
     */
    public static PickleLimits defaults() {
        return new PickleLimits(1 << 21, 1 << 22, 1 << 20, 1L << 28);
    }
}
