package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties over random valid safetensors files, each case from a printed seed: whatever set of
 * tensors (any name, any of the format's dtypes, rank 0 to 4 with empty dimensions, any bytes) and
 * metadata the writer is given, the reader gives back exactly; and every truncation of such a file
 * is refused as corrupt, never with another exception. The generator favours the edges: no
 * tensors, empty tensors, scalars, names of one character and of any script.
 */
class SafetensorsPropertiesTest {
    private static final int CASES = 300;

    @TempDir
    Path dir;

    /** One tensor: a dtype, a shape and its bytes. */
    record Spec(DType dtype, long[] shape, byte[] bytes) {
        Tensor tensor() {
            return Tensor.of(dtype, Shape.of(shape), MemorySegment.ofArray(bytes), 0);
        }
    }

    /** A string of 0 to {@code max} code points from ASCII, Latin, CJK, emoji and the '.' and '/' of names. */
    static String text(Random r, int min, int max) {
        int[] pools = {'a', 'Z', '0', '.', '/', '_', 'é', 'ß', '日', '本', 0x1f642, ' ', '"', '\\', 0};
        StringBuilder sb = new StringBuilder();
        int n = min + r.nextInt(max - min + 1);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4) == 0 ? 0x20 + r.nextInt(0x5f) : pools[r.nextInt(pools.length)];
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    static Spec spec(Random r) {
        DType dtype = DType.values()[r.nextInt(DType.values().length)];
        long[] shape = new long[r.nextInt(5)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(5);
        }
        byte[] bytes = new byte[(int) (Shape.of(shape).numel() * dtype.byteSize())];
        r.nextBytes(bytes);
        return new Spec(dtype, shape, bytes);
    }

    static Map<String, Spec> tensorSet(Random r) {
        Map<String, Spec> specs = new LinkedHashMap<>();
        int n = r.nextInt(6) == 0 ? 0 : r.nextInt(12);
        while (specs.size() < n) {
            String name = text(r, 1, 24);
            if (!name.equals(SafetensorsCheckpoint.METADATA_KEY)) {
                specs.put(name, spec(r));
            }
        }
        return specs;
    }

    static Map<String, String> metadata(Random r) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            m.put(text(r, 0, 12), text(r, 0, 16));
        }
        return m;
    }

    private Path write(Map<String, Spec> specs, Map<String, String> metadata, String name) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        specs.forEach((n, spec) -> tensors.put(n, spec.tensor()));
        Path file = dir.resolve(name);
        SafetensorsWriter.write(tensors, file, metadata);
        return file;
    }

    @Test
    void whatTheWriterWritesTheReaderReadsBack() throws IOException {
        long seed = new Random().nextLong();
        System.out.println("SafetensorsPropertiesTest round trip seed " + seed);
        Random r = new Random(seed);
        for (int c = 0; c < CASES; c++) {
            Map<String, Spec> specs = tensorSet(r);
            Map<String, String> metadata = metadata(r);
            Path file = write(specs, metadata, "case" + c + ".safetensors");
            try (Checkpoint ckpt = Checkpoints.open(file)) {
                String where = "seed " + seed + " case " + c;
                assertThat(ckpt.format()).as(where).isEqualTo(CheckpointFormat.SAFETENSORS);
                assertThat(ckpt.tensorNames()).as(where).containsExactlyInAnyOrderElementsOf(specs.keySet());
                assertThat(ckpt.stringMetadata()).as(where).isEqualTo(metadata);
                for (Map.Entry<String, Spec> e : specs.entrySet()) {
                    Spec spec = e.getValue();
                    TensorInfo info = ckpt.info(e.getKey());
                    assertThat(info.dtype()).as(where).isEqualTo(spec.dtype());
                    assertThat(info.shape()).as(where).isEqualTo(Shape.of(spec.shape()));
                    Tensor t = ckpt.tensor(e.getKey());
                    byte[] read = t.segment().asSlice(t.byteOffset(), t.dataBytes()).toArray(ValueLayout.JAVA_BYTE);
                    assertThat(read).as(where + " tensor " + e.getKey()).isEqualTo(spec.bytes());
                }
            }
            Files.delete(file);
        }
    }

    @Test
    void everyTruncationIsCorrupt() throws IOException {
        long seed = new Random().nextLong();
        System.out.println("SafetensorsPropertiesTest truncation seed " + seed);
        Random r = new Random(seed);
        Path cut = dir.resolve("cut.safetensors");
        for (int c = 0; c < CASES / 3; c++) {
            byte[] whole = Files.readAllBytes(write(tensorSet(r), metadata(r), "whole.safetensors"));
            for (int i = 0; i < 8; i++) {
                int length = i < 3 ? new int[] {0, 7, whole.length - 1}[i] : r.nextInt(whole.length);
                Files.write(cut, Arrays.copyOf(whole, length));
                assertThatThrownBy(() -> Checkpoints.open(cut).close())
                        .as("seed %d case %d: first %d of %d bytes", seed, c, length, whole.length)
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageContaining(cut.toString());
            }
        }
    }
}
