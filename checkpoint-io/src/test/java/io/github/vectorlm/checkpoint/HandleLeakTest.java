package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No reader leaks a file descriptor or a mapping: after thousands of failed opens of bad files and
 * thousands of open, read, close cycles of good ones, the process holds as many descriptors and
 * mappings as before, and none of them refers to a checkpoint file. Counted on Linux through
 * {@code /proc/self/fd} and {@code /proc/self/maps}.
 */
class HandleLeakTest {
    private static final int ROUNDS = 2000;

    @TempDir
    Path dir;

    /** Descriptors open in this process, and how many of them point into {@code folder}. */
    static long[] descriptors(Path folder) throws IOException {
        long total = 0;
        long ours = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                total++;
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(folder.toString())) {
                        ours++;
                    }
                } catch (IOException e) {
                    // the descriptor of the listing itself, closed by now
                }
            }
        }
        return new long[] {total, ours};
    }

    /** Mappings in this process, and how many of them map a file in {@code folder}. */
    static long[] mappings(Path folder) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/maps"));
        return new long[] {lines.size(), lines.stream().filter(l -> l.contains(folder.toString())).count()};
    }

    private List<Path> badFiles() throws IOException {
        List<Path> bad = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.resource("torch/bad"))) {
            for (Path f : files.sorted().toList()) {
                bad.add(Files.copy(f, dir.resolve("bad-" + f.getFileName())));
            }
        }
        byte[] st = Files.readAllBytes(Fixtures.resource("safetensors/dtypes.safetensors"));
        bad.add(Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(st, st.length - 3)));
        Path tf = Fixtures.copyFolder("tf/basic", dir.resolve("tf-bad"));
        byte[] data = Files.readAllBytes(tf.resolve("model.ckpt.data-00000-of-00001"));
        Files.write(tf.resolve("model.ckpt.data-00000-of-00001"), Arrays.copyOf(data, data.length / 2));
        bad.add(tf.resolve("model.ckpt.index"));
        // a sharded checkpoint whose last shard is damaged: the shards opened before it must be closed
        Path sharded = Fixtures.copyFolder("safetensors/sharded", dir.resolve("sharded-bad"));
        Path last = sharded.resolve("model-00002-of-00002.safetensors");
        byte[] shard = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(shard, shard.length - 1));
        bad.add(sharded.resolve("model.safetensors.index.json"));
        return bad;
    }

    private List<Path> goodFiles() throws IOException {
        List<Path> good = new ArrayList<>();
        for (String name : List.of("torch/state_dict_zip.pt", "torch/state_dict_legacy.pt", "torch/state_dict_deflated.pt",
                "torch/dtypes_big_endian.pt", "safetensors/dtypes.safetensors")) {
            Path f = Fixtures.resource(name);
            good.add(Files.copy(f, dir.resolve(f.getFileName())));
        }
        good.add(Fixtures.copyFolder("tf/basic", dir.resolve("tf")).resolve("model.ckpt.index"));
        good.add(Fixtures.copyFolder("safetensors/sharded", dir.resolve("sharded")).resolve("model.safetensors.index.json"));
        return good;
    }

    @Test
    void thousandsOfFailedAndGoodOpensLeaveNoDescriptorOrMapping() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc needed to count descriptors");
        Path folder = dir.toRealPath();
        List<Path> bad = badFiles();
        List<Path> good = goodFiles();
        // warm up: classes loaded, JDK caches filled, before counting
        cycle(bad, good, 2 * (bad.size() + good.size()));
        long[] fdsBefore = descriptors(folder);
        long[] mapsBefore = mappings(folder);
        assertThat(fdsBefore[1]).isZero();
        assertThat(mapsBefore[1]).isZero();

        cycle(bad, good, ROUNDS);

        long[] fdsAfter = descriptors(folder);
        long[] mapsAfter = mappings(folder);
        assertThat(fdsAfter[1]).as("descriptors of checkpoint files still open").isZero();
        assertThat(mapsAfter[1]).as("mappings of checkpoint files still in place").isZero();
        assertThat(fdsAfter[0]).as("descriptors in the process").isEqualTo(fdsBefore[0]);
        assertThat(mapsAfter[0]).as("mappings in the process").isLessThanOrEqualTo(mapsBefore[0] + 8);
    }

    /** {@code rounds} failed opens (one bad file each) and as many good open, read, close cycles. */
    private static void cycle(List<Path> bad, List<Path> good, int rounds) throws IOException {
        for (int i = 0; i < rounds; i++) {
            Path b = bad.get(i % bad.size());
            assertThatThrownBy(() -> {
                try (Checkpoint ckpt = Checkpoints.open(b)) {
                    for (String name : ckpt.tensorNames()) {
                        ckpt.tensor(name).toFloatArray();
                    }
                }
            }).as(b.toString()).isInstanceOf(CheckpointException.class);
            try (Checkpoint ckpt = Checkpoints.open(good.get(i % good.size()))) {
                String first = ckpt.tensorNames().getFirst();
                ckpt.tensor(first).toFloatArray();
            }
        }
    }

    @Test
    void closingTwiceIsHarmlessAndAClosedCheckpointsTensorsSayClosed() throws IOException {
        for (Path file : goodFiles()) {
            Checkpoint ckpt = Checkpoints.open(file);
            String name = ckpt.tensorNames().getFirst();
            var tensor = ckpt.tensor(name);
            ckpt.close();
            ckpt.close();
            assertThatThrownBy(() -> ckpt.tensor(name)).as(file.toString()).isInstanceOf(IllegalStateException.class);
            // a view taken before the close: the JDK refuses to read an unmapped segment
            assertThatThrownBy(tensor::toFloatArray).as(file.toString()).isInstanceOf(IllegalStateException.class);
        }
    }
}
