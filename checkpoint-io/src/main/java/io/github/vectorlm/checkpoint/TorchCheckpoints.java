package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Opens {@code torch.save} files. (Being written: see issue 4.) */
final class TorchCheckpoints {
    private TorchCheckpoints() {
    }

    static Checkpoint openZip(Path file, CheckpointOptions options) throws IOException {
        throw new UnsupportedCheckpointException(file, null, "PyTorch zip reader not written yet");
    }

    static Checkpoint openLegacy(Path file, CheckpointOptions options) throws IOException {
        throw new UnsupportedCheckpointException(file, null, "PyTorch legacy reader not written yet");
    }
}
