package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every torch.save fixture against what torch.load returned for it (expected.json): names in
 * order, dtype, shape, strides, storage offset, shared storages, every value exactly, and the
 * whole content. Runs over torch/ (torch 1.13) and, when present, torch2/ (the same script run
 * with PyTorch 2.x).
 */
class TorchCheckpointFixtureTest {
    static List<String> files() {
        return TorchFixtures.checkpointFiles();
    }

    @ParameterizedTest
    @MethodSource("files")
    void tensorsAndContentMatchTorch(String fileName) throws Exception {
        JsonNode expected = TorchFixtures.expectation(fileName);
        try (Checkpoint ckpt = Checkpoints.open(TorchFixtures.resource(fileName))) {
            assertThat(ckpt.format()).isEqualTo(CheckpointFormat.valueOf(expected.get("format").textValue()));
            List<String> names = new ArrayList<>();
            expected.get("tensors").forEach(t -> names.add(t.get("name").textValue()));
            assertThat(ckpt.tensorNames()).containsExactlyElementsOf(names);

            Map<Long, Long> addressOfGroup = new HashMap<>();
            Map<Long, Long> groupOfAddress = new HashMap<>();
            for (JsonNode t : expected.get("tensors")) {
                String name = t.get("name").textValue();
                DType dtype = DType.valueOf(t.get("dtype").textValue());
                long[] shape = longs(t.get("shape"));
                TensorInfo info = ckpt.info(name);
                assertThat(info.dtype()).as(name).isEqualTo(dtype);
                assertThat(info.shape()).as(name).isEqualTo(Shape.of(shape));

                Tensor tensor = ckpt.tensor(name);
                assertThat(tensor.dtype()).as(name).isEqualTo(dtype);
                assertThat(tensor.shape()).as(name).isEqualTo(Shape.of(shape));
                assertThat(tensor.strides()).as(name).containsExactly(longs(t.get("strides")));
                assertThat(tensor.byteOffset()).as(name)
                        .isEqualTo(t.get("storage_offset").longValue() * dtype.byteSize());
                assertValues(name, tensor, t.get("values"));

                // tensors torch says share a storage share the same bytes here, and only they do
                if (!t.get("storage_group").isNull()) {
                    long group = t.get("storage_group").longValue();
                    long address = tensor.segment().address();
                    assertThat(addressOfGroup.computeIfAbsent(group, g -> address)).as(name).isEqualTo(address);
                    assertThat(groupOfAddress.computeIfAbsent(address, a -> group)).as(name).isEqualTo(group);
                }
            }
            assertThat(TorchFixtures.fromContent(ckpt.content()))
                    .isEqualTo(TorchFixtures.fromJson(expected.get("content")));
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void storedStoragesAreMappedInPlace(String fileName) throws Exception {
        try (Checkpoint ckpt = Checkpoints.open(TorchFixtures.resource(fileName))) {
            for (String name : ckpt.tensorNames()) {
                // inflated entries and byte-swapped storages live in memory; single bytes need no swap
                boolean copied = fileName.contains("deflated")
                        || (fileName.contains("big_endian") && ckpt.info(name).dtype().byteSize() > 1);
                assertThat(ckpt.tensor(name).segment().isMapped()).as(name).isEqualTo(!copied);
            }
        }
    }

    @Test
    void nanoGptCheckpointReadsLikeNanoGpt() throws Exception {
        try (Checkpoint ckpt = Checkpoints.open(TorchFixtures.file("nanogpt_ckpt.pt"))) {
            assertThat(ckpt.tensorNames()).contains("model._orig_mod.transformer.wte.weight",
                    "model._orig_mod.lm_head.weight", "optimizer.state.0.exp_avg", "optimizer.state.0.exp_avg_sq",
                    "best_val_loss");
            // tied embedding and head: one storage, two names
            assertThat(ckpt.tensor("model._orig_mod.lm_head.weight").segment().address())
                    .isEqualTo(ckpt.tensor("model._orig_mod.transformer.wte.weight").segment().address());
            Tensor loss = ckpt.tensor("best_val_loss");
            assertThat(loss.rank()).isZero();
            Map<?, ?> content = (Map<?, ?>) ckpt.content();
            assertThat(content.get("best_val_loss")).isEqualTo(new TensorRef("best_val_loss"));
            assertThat(content.get("iter_num")).isEqualTo(1L);
            Map<?, ?> modelArgs = (Map<?, ?>) content.get("model_args");
            assertThat(modelArgs.get("n_layer")).isEqualTo(2L);
            assertThat(modelArgs.get("bias")).isEqualTo(true);
            assertThat(modelArgs.get("dropout")).isEqualTo(0.0);
            Map<?, ?> config = (Map<?, ?>) content.get("config");
            assertThat(config.get("dtype")).isEqualTo("bfloat16");
            Map<?, ?> optimizer = (Map<?, ?>) content.get("optimizer");
            List<?> groups = (List<?>) optimizer.get("param_groups");
            assertThat(((Map<?, ?>) groups.get(0)).get("betas")).isEqualTo(List.of(0.9, 0.95));
            assertThat(((Map<?, ?>) groups.get(1)).get("weight_decay")).isEqualTo(0.0);
            assertThat(((Map<?, ?>) ((Map<?, ?>) optimizer.get("state")).get(0L)).get("exp_avg"))
                    .isEqualTo(new TensorRef("optimizer.state.0.exp_avg"));
        }
    }

    @Test
    void contentIsReadOnly() throws Exception {
        try (Checkpoint ckpt = Checkpoints.open(TorchFixtures.file("nested_zip_p4.pt"))) {
            Map<?, ?> content = (Map<?, ?>) ckpt.content();
            assertThat(content).isUnmodifiable();
            assertThat((List<?>) content.get("ints")).isUnmodifiable();
            assertThat((List<?>) content.get("bools")).isUnmodifiable();
            // one list pickled once and referenced twice is one list here too
            assertThat(content.get("shared_a")).isSameAs(content.get("shared_b"));
            assertThat(ckpt.contains("a.b")).isTrue();
            assertThat(ckpt.contains("a.b#2")).isTrue();
            assertThat(ckpt.contains("nope")).isFalse();
            assertThat(Set.copyOf(ckpt.tensorNames())).hasSameSizeAs(ckpt.tensorNames());
        }
    }

    @Test
    void closedCheckpointRefusesTensors() throws Exception {
        Checkpoint ckpt = Checkpoints.open(TorchFixtures.file("state_dict_zip.pt"));
        Tensor before = ckpt.tensor("transformer.wte.weight");
        ckpt.close();
        ckpt.close(); // idempotent
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ckpt.tensor("transformer.wte.weight"))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> before.getFloat(0, 0))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void assertValues(String name, Tensor tensor, JsonNode values) {
        long[] index = new long[tensor.rank()];
        int i = 0;
        for (JsonNode v : values) {
            switch (tensor.dtype()) {
                case F32, F16, BF16, F64, F8_E4M3, F8_E5M2 ->
                        // widening to double is exact, and so was torch's .double()
                        assertThat(tensor.getDouble(index)).as("%s[%d]", name, i).isEqualTo(v.doubleValue());
                case U64 -> assertThat(new BigInteger(Long.toUnsignedString(tensor.getLong(index))))
                        .as("%s[%d]", name, i).isEqualTo(v.bigIntegerValue());
                case BOOL -> assertThat(tensor.getBoolean(index)).as("%s[%d]", name, i).isEqualTo(v.booleanValue());
                default -> assertThat(BigInteger.valueOf(tensor.getLong(index))).as("%s[%d]", name, i)
                        .isEqualTo(v.bigIntegerValue());
            }
            increment(index, tensor.shape());
            i++;
        }
        assertThat((long) i).as(name).isEqualTo(tensor.numel());
    }

    private static void increment(long[] index, Shape shape) {
        for (int d = index.length - 1; d >= 0; d--) {
            if (++index[d] < shape.dim(d)) {
                return;
            }
            index[d] = 0;
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).longValue();
        }
        return out;
    }
}
