package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rebuild calls PyTorch 2.x writes and torch 1.13 (our fixture writer) does not, spelled as
 * torch/_tensor.py and torch/_utils.py of PyTorch 2.x pickle them: {@code _rebuild_tensor_v3} over
 * an untyped storage (uint16/32/64 and float8 tensors), {@code _rebuild_from_type_v2} (tensors with
 * Python attributes), {@code _rebuild_parameter_with_state}, a 7th {@code metadata} argument, the
 * {@code byteorder} record, and {@code torch.device} with an index.
 */
class TorchRebuildCallsTest {
    @TempDir
    Path dir;

    @Test
    void rebuildTensorV3ReinterpretsAnUntypedStorage() throws Exception {
        // _rebuild_tensor_v3(UntypedStorage of 8 bytes, 1, (2,), (1,), False, OrderedDict(), torch.uint16)
        PickleBytes p = PickleBytes.proto(2).op('}').str("u16")
                .global("torch._utils", "_rebuild_tensor_v3").mark()
                .mark().str("storage").global("torch", "UntypedStorage").str("0").str("cpu").integer(8).op('t').op('Q')
                .integer(1).tuple(2).tuple(1).op(0x89).global("collections", "OrderedDict").op(')').op('R')
                .global("torch", "uint16").op('t').op('R').op('s').stop();
        byte[] storage = {1, 0, 2, 0, 3, 0, (byte) 0xff, (byte) 0xff};
        try (Checkpoint ckpt = Checkpoints.open(PickleBytes.zip(dir.resolve("v3.pt"), p.bytes(), "0", storage))) {
            Tensor t = ckpt.tensor("u16");
            assertThat(t.dtype()).isEqualTo(DType.U16);
            assertThat(t.getLong(0)).isEqualTo(2);
            assertThat(t.getLong(1)).isEqualTo(3);
            assertThat(t.byteOffset()).isEqualTo(2);
        }
    }

    @Test
    void rebuildFromTypeV2AndParameterWithState() throws Exception {
        // {'attr': _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, (storage, 0, (2,), (1,), False,
        //   OrderedDict(), None), {'note': 'x'}),
        //  'param': _rebuild_parameter_with_state(<the same storage, as 2 elements>, True, OrderedDict(), {})}
        PickleBytes p = PickleBytes.proto(2).op('}').mark();
        p.str("attr").global("torch._tensor", "_rebuild_from_type_v2").mark()
                .global("torch._utils", "_rebuild_tensor_v2").global("torch", "Tensor")
                .mark().mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(2).op('t')
                .op('Q').integer(0).tuple(2).tuple(1).op(0x89).global("collections", "OrderedDict").op(')').op('R')
                .op('N').op('t') // metadata: the 7th argument of PyTorch 2.x
                .op('}').str("note").str("x").op('s').op('t').op('R');
        p.str("param").global("torch._utils", "_rebuild_parameter_with_state").mark()
                .tensor("FloatStorage", "0", 2, 1, new long[] {1}, new long[] {1})
                .op(0x88).global("collections", "OrderedDict").op(')').op('R').op('}').op('t').op('R');
        p.op('u').stop();
        try (Checkpoint ckpt = Checkpoints.open(PickleBytes.zip(dir.resolve("types.pt"), p.bytes(), "0",
                PickleBytes.floats(5f, 6f)))) {
            assertThat(ckpt.tensorNames()).containsExactly("attr", "param");
            assertThat(ckpt.tensor("attr").toFloatArray()).containsExactly(5f, 6f);
            assertThat(ckpt.tensor("param").toFloatArray()).containsExactly(6f);
        }
    }

    @Test
    void byteOrderLittleAndDevicesWithIndex() throws Exception {
        byte[] pickle = PickleBytes.proto(2).op('}').str("device")
                .global("torch", "device").str("cuda").op('K').raw(1).op(0x86).op('R').op('s')
                .stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("device.pt"), pickle, "archive/byteorder", "little".getBytes());
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            assertThat(ckpt.content()).isEqualTo(Map.of("device", "cuda:1"));
            assertThat(ckpt.tensorNames()).isEqualTo(List.of());
        }
        Path middle = PickleBytes.zip(dir.resolve("middle.pt"), pickle, "archive/byteorder", "middle".getBytes());
        assertThatThrownBy(() -> Checkpoints.open(middle))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("record 'archive/byteorder' says 'middle', neither 'little' nor 'big'");
    }
}
