package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The safetensors writer: exact values, layout the format demands, non-contiguous sources. */
class SafetensorsWriterTest {
    @TempDir
    Path temp;

    private static JsonNode header(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n % 8).as("header length is padded to 8 bytes").isZero();
        return new ObjectMapper().readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
    }

    private static void assertSameTensors(Checkpoint a, Checkpoint b) throws IOException {
        assertThat(b.tensorNames()).containsExactlyElementsOf(a.tensorNames());
        for (String name : a.tensorNames()) {
            Tensor x = a.tensor(name);
            Tensor y = b.tensor(name);
            assertThat(y.dtype()).as(name).isEqualTo(x.dtype());
            assertThat(y.shape()).as(name).isEqualTo(x.shape());
            assertThat(y.contiguousData().mismatch(x.contiguous().contiguousData())).as(name + " bytes").isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtypes.safetensors", "numpy.safetensors", "metadata.safetensors"})
    void rewritingAFileKeepsEveryTensorBitForBit(String file) throws IOException {
        Path out = temp.resolve(file);
        try (Checkpoint source = SafetensorsReader.open(Fixtures.resource("safetensors/" + file))) {
            SafetensorsWriter.write(source, out, n -> n, source.stringMetadata());
            try (Checkpoint written = SafetensorsReader.open(out)) {
                assertSameTensors(source, written);
                assertThat(written.stringMetadata()).isEqualTo(source.stringMetadata());
            }
        }
        JsonNode header = header(out);
        header.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("__metadata__")) {
                long begin = e.getValue().get("data_offsets").get(0).longValue();
                int size = DType.valueOf(e.getValue().get("dtype").asText()).byteSize();
                assertThat(begin % size).as(e.getKey() + " aligned to its element size").isZero();
            }
        });
    }

    @Test
    void tensorFlowBundleToSafetensorsKeepsTheValuesTensorFlowSaved() throws IOException {
        Path out = temp.resolve("from-tf.safetensors");
        try (Checkpoint tf = Checkpoints.open(Fixtures.resource("tf/basic/model.ckpt.index"))) {
            SafetensorsWriter.write(tf, out, n -> n.replace('/', '.'), Map.of("source", "tensorflow"));
        }
        JsonNode expected = Fixtures.json("tf/expected.json").get("basic");
        try (Checkpoint st = Checkpoints.open(out)) {
            assertThat(st.stringMetadata()).containsEntry("source", "tensorflow");
            assertThat(st.tensorNames()).contains("model.h0.attn.c_attn.w", "scalar.float", "empty.float");
            for (String name : st.tensorNames()) {
                Fixtures.assertValues(name, st.tensor(name), expected.get(name.replace('.', '/')).get("values"));
            }
        }
    }

    @Test
    void nonContiguousTensorsAreWrittenInRowMajorOrder() throws IOException {
        long seed = new Random().nextLong();
        System.out.println("SafetensorsWriterTest seed " + seed);
        Random random = new Random(seed);
        float[] values = new float[3 * 5 * 7];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        Tensor base = Tensor.fromFloats(values, 3, 5, 7);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("transposed", base.transpose(0, 2));          // last-axis stride 35
        tensors.put("narrowed", base.narrow(2, 1, 4));            // rows contiguous, gaps between them
        tensors.put("row", base.slice(1, 2));                     // [3, 7], stride 35 between rows
        tensors.put("bf16", Tensor.fromFloats(DType.BF16, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1));
        tensors.put("scalar", base.slice(0, 1).slice(0, 2).slice(0, 3));
        Path out = temp.resolve("views.safetensors");
        SafetensorsWriter.write(tensors, out, Map.of());
        try (Checkpoint ckpt = SafetensorsReader.open(out)) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor view = e.getValue();
                Tensor written = ckpt.tensor(e.getKey());
                assertThat(written.shape()).isEqualTo(view.shape());
                long[] index = new long[view.rank()];
                for (long i = 0; i < view.numel(); i++) {
                    assertThat(written.getFloat(index)).as(e.getKey() + " element " + i).isEqualTo(view.getFloat(index));
                    for (int d = index.length - 1; d >= 0; d--) {
                        if (++index[d] < view.dim(d)) {
                            break;
                        }
                        index[d] = 0;
                    }
                }
            }
            assertThat(ckpt.tensor("scalar").getFloat()).isEqualTo(values[1 * 35 + 2 * 7 + 3]);
        }
    }

    @Test
    void renameSkipsAndRefusesClashes() throws IOException {
        Path source = Fixtures.resource("safetensors/metadata.safetensors");
        Path out = temp.resolve("renamed.safetensors");
        try (Checkpoint ckpt = SafetensorsReader.open(source)) {
            SafetensorsWriter.write(ckpt, out, n -> n.startsWith("empty") ? null : "model." + n, Map.of());
            try (Checkpoint written = SafetensorsReader.open(out)) {
                assertThat(written.tensorNames()).containsExactly("model.scalar", "model.transposed", "model.weight");
                assertThat(written.stringMetadata()).isEmpty();
                assertThat(header(out).has("__metadata__")).isFalse();
            }
            assertThatThrownBy(() -> SafetensorsWriter.write(ckpt, temp.resolve("x.safetensors"), n -> "same", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'same' is used twice");
            assertThatThrownBy(() -> SafetensorsWriter.write(ckpt, temp.resolve("y.safetensors"), n -> "__metadata__", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        }
        try (var files = Files.list(temp)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("no temporary file left behind").containsExactly("renamed.safetensors");
        }
    }

    @Test
    void theFileGetsThePermissionsOfAnyNewFileNotOwnerOnly() throws IOException {
        Assumptions.assumeTrue(temp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(temp.resolve("plain")); // what the umask gives a new file
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        Assumptions.assumeTrue(expected.size() > 2, "a umask that lets others read (" + expected + ")");
        Path out = temp.resolve("perm.safetensors");

        SafetensorsWriter.write(Map.of(), out, Map.of());

        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(expected);
        try (var left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("plain", "perm.safetensors");
        }
    }

    @Test
    void aMissingFolderIsReportedWithThePathGiven() {
        Path out = temp.resolve("no/such/folder/model.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(Map.of(), out, Map.of()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(out.toString())
                .hasMessageContaining("does not exist")
                .hasMessageNotContaining(".tmp");
    }

    @Test
    void writesAnEmptyFileTheReaderAccepts() throws IOException {
        Path out = temp.resolve("empty.safetensors");
        SafetensorsWriter.write(Map.of(), out, Map.of("k", "v"));
        try (Checkpoint ckpt = SafetensorsReader.open(out)) {
            assertThat(ckpt.tensorNames()).isEqualTo(List.of());
            assertThat(ckpt.stringMetadata()).isEqualTo(Map.of("k", "v"));
        }
    }
}
