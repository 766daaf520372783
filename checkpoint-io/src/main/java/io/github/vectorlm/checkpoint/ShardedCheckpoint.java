package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Several checkpoint files joined by a Hugging Face weight map. (Being written: see issue 4.) */
public final class ShardedCheckpoint {
    private ShardedCheckpoint() {
    }

    /** Opens every shard an {@code *.index.json} names. */
    public static Checkpoint open(Path indexJson, CheckpointOptions options) throws IOException {
        throw new UnsupportedCheckpointException(indexJson, null, "sharded reader not written yet");
    }
}
