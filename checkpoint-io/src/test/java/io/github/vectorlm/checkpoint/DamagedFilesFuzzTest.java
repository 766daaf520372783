package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random damage to real files — flipped bytes, truncation — must end in a value or a
 * {@link CheckpointException}, never another exception (an IndexOutOfBounds, an
 * ArithmeticException, an OutOfMemoryError) or a hang.
 */
class DamagedFilesFuzzTest {
    private static final int ROUNDS = 300;

    @TempDir
    Path temp;

    private static void openAndReadEverything(Path path) throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(path)) {
            for (String name : ckpt.tensorNames()) {
                ckpt.info(name);
                try {
                    ckpt.tensor(name).toFloatArray();
                } catch (UnsupportedCheckpointException e) {
                    // sliced variables: refused by name, fine
                }
            }
            ckpt.content();
            if (ckpt instanceof GgufCheckpoint gguf) {
                gguf.metadata().toString(); // reads every array element
                for (String name : ckpt.tensorNames()) {
                    if (ckpt.info(name).isBlockQuantized()) {
                        gguf.quantized(name).data();
                    }
                }
            }
        }
    }

    private void fuzz(Path original, String name) throws IOException {
        long seed = new Random().nextLong();
        System.out.println("DamagedFilesFuzzTest " + name + " seed " + seed);
        Random random = new Random(seed);
        byte[] good = Files.readAllBytes(original);
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] bad = good.clone();
            if (random.nextInt(4) == 0) {
                bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
            } else {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            Files.write(original, bad);
            try {
                openAndReadEverything(original);
            } catch (CheckpointException e) {
                refused++;
                assertThat(e.getMessage()).isNotBlank();
            } catch (IOException | RuntimeException | Error e) {
                fail(name + " round " + round + " (seed " + seed + ") threw " + e, e);
            }
        }
        Files.write(original, good);
        assertThat(refused).as("damage was noticed at least sometimes").isPositive();
    }

    @Test
    void tensorFlowIndexAndData() throws IOException {
        Path folder = Fixtures.copyFolder("tf/basic", temp.resolve("tf"));
        fuzz(folder.resolve("model.ckpt.index"), "tf index");
        fuzz(folder.resolve("model.ckpt.data-00000-of-00001"), "tf data");
        Path sliced = Fixtures.copyFolder("tf/sliced", temp.resolve("sliced"));
        fuzz(sliced.resolve("model.ckpt.index"), "tf sliced index");
    }

    @Test
    void safetensorsFiles() throws IOException {
        Path folder = Fixtures.copyFolder("safetensors", temp.resolve("st"));
        fuzz(folder.resolve("dtypes.safetensors"), "dtypes.safetensors");
        fuzz(folder.resolve("metadata.safetensors"), "metadata.safetensors");
        fuzz(folder.resolve("sharded/model.safetensors.index.json"), "index.json");
    }

    @Test
    void ggufFiles() throws IOException {
        Path folder = Fixtures.copyFolder("gguf", temp.resolve("gguf"));
        fuzz(folder.resolve("metadata_v3.gguf"), "metadata_v3.gguf");
        fuzz(folder.resolve("quantized.gguf"), "quantized.gguf");
    }
}
