package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsafeCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malicious and broken files tools/make_torch_fixtures.py writes (bad/): each gives one clear
 * exception of the right kind, naming the file, the tensor where there is one, and the problem.
 * (expected.json records what torch.load(weights_only=True) says about the same files.)
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TorchBadInputTest {
    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("os_system.pt", UnsafeCheckpointException.class, null, "global os.system is not on the allow-list"),
                Arguments.of("builtins_eval_p4.pt", UnsafeCheckpointException.class, null, "global builtins.eval"),
                Arguments.of("builtin_eval_p2.pt", UnsafeCheckpointException.class, null,
                        "global __builtin__.eval (builtins.eval)"),
                Arguments.of("subprocess_popen.pt", UnsafeCheckpointException.class, null, "global subprocess.Popen"),
                Arguments.of("subprocess_popen_p4.pt", UnsafeCheckpointException.class, null, "global subprocess.Popen"),
                Arguments.of("commands_popen_p2.pt", UnsafeCheckpointException.class, null, "global commands.Popen"),
                Arguments.of("unknown_opcode.pt", CorruptCheckpointException.class, null, "at byte 3: unknown opcode 0xff"),
                Arguments.of("no_stop.pt", CorruptCheckpointException.class, null, "ends without STOP"),
                Arguments.of("string_past_end.pt", CorruptCheckpointException.class, null,
                        "a length of 2147483647 bytes at byte 7 runs past the end"),
                Arguments.of("storage_2e60.pt", CorruptCheckpointException.class, "w",
                        "storage '0' (1152921504606846976 F32 elements) needs 4611686018427387904 bytes, but zip entry"
                                + " 'archive/data/0' holds 16"),
                Arguments.of("offset_past_end.pt", CorruptCheckpointException.class, "w",
                        "reaches element 4, past the end of storage '0' (4 F32 elements)"),
                Arguments.of("entry_too_short.pt", CorruptCheckpointException.class, "w",
                        "needs 16 bytes, but zip entry 'archive/data/0' holds 12"),
                Arguments.of("storage_missing.pt", CorruptCheckpointException.class, "w",
                        "should be zip entry 'archive/data/0', which the archive lacks"),
                Arguments.of("no_data_pkl.pt", CorruptCheckpointException.class, null, "zip archive without a data.pkl"),
                Arguments.of("truncated_zip.pt", CorruptCheckpointException.class, null, "not a readable zip archive"),
                Arguments.of("truncated_legacy.pt", CorruptCheckpointException.class, null, "but the file has only"),
                Arguments.of("legacy_storage_2e60.pt", CorruptCheckpointException.class, null,
                        "storage '0' claims 1152921504606846976 F32 elements at byte"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void refusedWithAClearMessage(String name, Class<? extends CheckpointException> type, String tensor, String problem) {
        Path file = TorchFixtures.file("bad/" + name);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(type)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(problem)
                .satisfies(e -> {
                    CheckpointException ce = (CheckpointException) e;
                    assertThat(ce.file()).isEqualTo(file);
                    assertThat(ce.tensor()).isEqualTo(tensor);
                });
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void everyBadFileIsListedInExpectedJson(String name, Class<?> type, String tensor, String problem) {
        assertThat(TorchFixtures.expected().get("meta").get("bad_inputs").has(name)).as(name).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aPlainPickleIsNotATorchFile() {
        Path file = TorchFixtures.file("pickles/plain_p2.pkl");
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("not a torch.save file")
                .hasMessageContaining("magic number");
    }
}
