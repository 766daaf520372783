package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF writer, read back by {@link GgufReader} (which holds files to ggml's layout rules):
 * every metadata type it writes, plain and block tensors, alignment; and its refusals. gguf-py and
 * llama.cpp reading its files are checked by the exports' oracle fixtures (tools/make_gguf_export_fixtures.py).
 */
class GgufWriterTest {
    @TempDir
    Path temp;

    @Test
    void writesWhatTheReaderReadsBack() throws IOException {
        Random random = new Random(19);
        float[] f32 = new float[3 * 5];
        float[] q = new float[2 * 64];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) random.nextGaussian();
        }
        Tensor f16 = Tensor.fromFloats(f32, 3, 5).convertTo(io.github.vectorlm.tensor.DType.F16, Arena.ofAuto());
        MemorySegment blocks = Arena.ofAuto().allocate(BlockType.Q8_0.bytesFor(q.length));
        BlockType.Q8_0.quantize(q, 0, q.length, blocks, 0);
        GgufWriter.Metadata md = new GgufWriter.Metadata()
                .putString("general.architecture", "gpt2")
                .putUint32("gpt2.block_count", 4_000_000_000L)
                .putInt32("some.int", -7)
                .putFloat32("gpt2.attention.layer_norm_epsilon", 1e-5f)
                .putBool("gptneox.use_parallel_residual", true)
                .putStringArray("tokenizer.ggml.tokens", List.of("a", "Ġb", "<|endoftext|>", "é"))
                .putInt32Array("tokenizer.ggml.token_type", new int[] {1, 1, 3, -2});
        Path out = temp.resolve("m.gguf");
        GgufWriter.write(out, md, List.of(
                new GgufWriter.TensorSpec("f32", GgmlType.F32, new long[] {3, 5},
                        sink -> sink.write(MemorySegment.ofArray(f32))),
                new GgufWriter.TensorSpec("f16", GgmlType.F16, new long[] {15}, sink -> sink.write(f16.contiguousData())),
                new GgufWriter.TensorSpec("q8", GgmlType.Q8_0, new long[] {2, 64}, sink -> {
                    sink.write(blocks.asSlice(0, 10)); // in pieces: the sink concatenates
                    sink.write(blocks.asSlice(10));
                })));
        try (GgufCheckpoint g = GgufReader.open(out)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.alignment()).isEqualTo(32);
            assertThat(g.metadata()).containsExactly(
                    java.util.Map.entry("general.architecture", "gpt2"),
                    java.util.Map.entry("gpt2.block_count", 4_000_000_000L),
                    java.util.Map.entry("some.int", -7L),
                    java.util.Map.entry("gpt2.attention.layer_norm_epsilon", (double) 1e-5f),
                    java.util.Map.entry("gptneox.use_parallel_residual", true),
                    java.util.Map.entry("tokenizer.ggml.tokens", List.of("a", "Ġb", "<|endoftext|>", "é")),
                    java.util.Map.entry("tokenizer.ggml.token_type", List.of(1L, 1L, 3L, -2L)));
            assertThat(g.metadataType("gpt2.block_count")).isEqualTo(GgufValueType.UINT32);
            assertThat(g.metadataType("some.int")).isEqualTo(GgufValueType.INT32);
            assertThat(g.metadataType("gpt2.attention.layer_norm_epsilon")).isEqualTo(GgufValueType.FLOAT32);
            assertThat(g.arrayElementType("tokenizer.ggml.token_type")).isEqualTo(GgufValueType.INT32);
            assertThat(g.tensorNames()).containsExactly("f32", "f16", "q8");
            assertThat(g.tensor("f32").toFloatArray()).containsExactly(f32);
            assertThat(g.info("f16").shape().toArray()).containsExactly(15);
            assertThat(g.tensor("f16").contiguousData().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .containsExactly(f16.contiguousData().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            QuantizedTensor qt = g.quantized("q8");
            assertThat(qt.type()).isEqualTo(BlockType.Q8_0);
            assertThat(qt.data().asSlice(0, blocks.byteSize()).mismatch(blocks)).isEqualTo(-1);
        }
        assertThat(Files.size(out) % 32).as("the last tensor is padded too").isZero();
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).containsExactly(out); // no temporary file left
        }
    }

    @Test
    void honoursAnAlignmentGivenInTheMetadata() throws IOException {
        Path out = temp.resolve("a.gguf");
        GgufWriter.write(out, new GgufWriter.Metadata().putUint32("general.alignment", 64), List.of(
                new GgufWriter.TensorSpec("a", GgmlType.F32, new long[] {3}, s -> s.write(MemorySegment.ofArray(new float[3]))),
                new GgufWriter.TensorSpec("b", GgmlType.F32, new long[] {1}, s -> s.write(MemorySegment.ofArray(new float[] {2f})))));
        try (GgufCheckpoint g = GgufReader.open(out)) {
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.dataOffset() % 64).isZero();
            assertThat(g.tensor("b").getFloat(0)).isEqualTo(2f);
        }
    }

    @Test
    void refusesBadDescriptionsBeforeWritingAnything() {
        assertThatThrownBy(() -> new GgufWriter.Metadata().putString("k", "a").putUint32("k", 1))
                .hasMessageContaining("'k' is put twice");
        assertThatThrownBy(() -> new GgufWriter.Metadata().putUint32("x", -1)).hasMessageContaining("no uint32");
        assertThatThrownBy(() -> new GgufWriter.Metadata().putUint32("general.alignment", 48))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> new GgufWriter.TensorSpec("q", GgmlType.Q4_0, new long[] {2, 48}, s -> { }))
                .hasMessageContaining("no whole number of Q4_0 blocks of 32");
        assertThatThrownBy(() -> new GgufWriter.TensorSpec("x".repeat(64), GgmlType.F32, new long[] {1}, s -> { }))
                .hasMessageContaining("must be 1 to 63 bytes");
        assertThatThrownBy(() -> new GgufWriter.TensorSpec("t", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, s -> { }))
                .hasMessageContaining("5 dimensions");
        GgufWriter.TensorSpec t = new GgufWriter.TensorSpec("t", GgmlType.F32, new long[] {1}, s -> { });
        assertThatThrownBy(() -> GgufWriter.write(temp.resolve("d.gguf"), new GgufWriter.Metadata(), List.of(t, t)))
                .hasMessageContaining("'t' is used twice");
        assertThat(temp.resolve("d.gguf")).doesNotExist();
    }

    @Test
    void aTensorOfTheWrongSizeLeavesNoFile() throws IOException {
        Path out = temp.resolve("short.gguf");
        assertThatThrownBy(() -> GgufWriter.write(out, new GgufWriter.Metadata(), List.of(
                new GgufWriter.TensorSpec("w", GgmlType.F32, new long[] {4}, s -> s.write(MemorySegment.ofArray(new float[3]))))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tensor 'w': 12 bytes written, its F32 [4] takes 16");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        Path out = temp.resolve("no/such/m.gguf");
        assertThatThrownBy(() -> GgufWriter.write(out, new GgufWriter.Metadata(), List.of()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(out.toString());
    }
}
