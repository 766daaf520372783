package io.github.vectorlm.checkpoint.pickle;

import io.github.vectorlm.checkpoint.ReaderLimits;

/**
 * Bounds that keep a hostile pickle from exhausting memory, stack or time: a pickle can only grow
 * the stack and the memo one opcode at a time, but a small file of opcodes could still ask for
 * millions of them, nest containers a million deep, share one container between 2<sup>64</sup>
 * paths, or copy one big list a million times.
 *
 * @param maxStack most objects on the stack, and most open {@code MARK}s, at once
 * @param maxMemo most memo entries
 * @param maxNameChars longest tensor name (a path through nested containers)
 * @param maxTotalNameChars most characters in all tensor names together
 * @param maxDepth deepest nesting of containers in the content, along its longest path
 * @param maxContentValues most values in the content, a shared container counted at every place
 * @param maxTensors most tensors named
 * @param maxWork most units of work the machine does beyond one per opcode: each item a container
 *     opcode copies, each key element hashed, each item of a container passed to a call
 */
public record PickleLimits(int maxStack, int maxMemo, int maxNameChars, long maxTotalNameChars, int maxDepth,
        long maxContentValues, int maxTensors, long maxWork) {
    /** Checks that every bound is positive. */
    public PickleLimits {
        if (maxStack <= 0 || maxMemo <= 0 || maxNameChars <= 0 || maxTotalNameChars <= 0 || maxDepth <= 0
                || maxContentValues <= 0 || maxTensors <= 0 || maxWork <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxStack + ", " + maxMemo
                    + ", " + maxNameChars + ", " + maxTotalNameChars + ", " + maxDepth + ", " + maxContentValues
                    + ", " + maxTensors + ", " + maxWork);
        }
    }

    /**
     * Far above what real checkpoints use (a state dict needs a stack as deep as its nesting and
     * about ten memo entries per tensor; nesting is under ten levels; work is a few units per
     * byte), far below what would exhaust a default heap or stack: the nesting, value, name and
     * tensor bounds are {@link ReaderLimits}'; the work bound, 2<sup>28</sup> units, is about a
     * second.
     */
    public static PickleLimits defaults() {
        return new PickleLimits(1 << 21, 1 << 22, ReaderLimits.MAX_NAME_CHARS, 1L << 27,
                ReaderLimits.MAX_NESTING_DEPTH, ReaderLimits.MAX_CONTENT_VALUES, ReaderLimits.MAX_TENSORS, 1L << 28);
    }
}
