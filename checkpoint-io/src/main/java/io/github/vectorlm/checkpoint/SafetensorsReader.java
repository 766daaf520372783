package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Reads safetensors files. (Being written: see issue 4.) */
public final class SafetensorsReader {
    private SafetensorsReader() {
    }

    /** Opens a safetensors file. */
    public static Checkpoint open(Path file) throws IOException {
        throw new UnsupportedCheckpointException(file, null, "safetensors reader not written yet");
    }
}
