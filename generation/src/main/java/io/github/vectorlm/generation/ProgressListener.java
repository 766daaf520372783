package io.github.vectorlm.generation;

/** Receives progress of long tasks (loading, merging, downloading). */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores all progress. */
    ProgressListener NONE = (task, done, total) -> { };

    /**
     * {@code done} of {@code total} units of {@code task} are finished ({@code total} is -1 when unknown).
     */
    void progress(String task, long done, long total);
}
