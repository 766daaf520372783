package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Reads TensorFlow tensor bundles. (Being written: see issue 4.) */
public final class TfBundleReader {
    private TfBundleReader() {
    }

    /** Opens a bundle from its index file. */
    public static Checkpoint open(Path indexFile, CheckpointOptions options) throws IOException {
        throw new UnsupportedCheckpointException(indexFile, null, "TensorFlow bundle reader not written yet");
    }

    /** The index file named by a folder's TensorFlow {@code checkpoint} file, or null. */
    static Path indexFromFolder(Path folder) throws IOException {
        return null;
    }
}
