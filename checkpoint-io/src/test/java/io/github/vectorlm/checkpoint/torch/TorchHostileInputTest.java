package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CheckpointOptions;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.PickledObject;
import io.github.vectorlm.checkpoint.ReaderLimits;
import io.github.vectorlm.checkpoint.TensorRef;
import io.github.vectorlm.checkpoint.UnsafeCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Inputs no pickler writes, made byte by byte: deep nesting, cycles, sharing bombs, endless work, odd globals, damage. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TorchHostileInputTest {
    private static final long[] SCALAR = {};

    @TempDir
    Path dir;

    /** Nested lists with a tensor at the bottom: {@code depth} EMPTY_LISTs, the tensor, {@code depth} APPENDs. */
    private Path nestedLists(String fileName, int depth) throws Exception {
        PickleBytes p = PickleBytes.proto(2);
        for (int i = 0; i < depth; i++) {
            p.op(']');
        }
        p.tensor("FloatStorage", "0", 1, 0, SCALAR, SCALAR);
        for (int i = 0; i < depth; i++) {
            p.op('a'); // APPEND: each list into the one below it
        }
        return PickleBytes.zip(dir.resolve(fileName), p.stop().bytes(), "0", PickleBytes.floats(2.5f));
    }

    @Test
    void nestingUpToTheLimitIsRead() throws Exception {
        int depth = ReaderLimits.MAX_NESTING_DEPTH;
        try (Checkpoint ckpt = Checkpoints.open(nestedLists("deep.pt", depth))) {
            String name = "0" + ".0".repeat(depth - 1);
            assertThat(ckpt.tensorNames()).containsExactly(name);
            assertThat(ckpt.tensor(name).getFloat()).isEqualTo(2.5f);
            Object node = ckpt.content();
            for (int i = 0; i < depth; i++) {
                assertThat(node).isInstanceOf(List.class);
                node = ((List<?>) node).getFirst();
            }
            assertThat(node).isEqualTo(new TensorRef(name));
            // the JDK's recursive toString and hashCode of content this deep fit a default stack
            assertThat(ckpt.content().toString()).hasSize(2 * depth + ("TensorRef[name=" + name + "]").length());
            assertThat(ckpt.content().hashCode()).isEqualTo(ckpt.content().hashCode());
        }
    }

    @Test
    void hundredThousandNestedListsAreRefusedNamingTheLimit() throws Exception {
        Path file = nestedLists("deeper.pt", 100_000);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("content nests deeper than 1000 (MAX_NESTING_DEPTH) levels at '0.0.0.0.0");
        Path justOver = nestedLists("just_over.pt", ReaderLimits.MAX_NESTING_DEPTH + 1);
        assertThatThrownBy(() -> Checkpoints.open(justOver))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("MAX_NESTING_DEPTH");
    }

    @Test
    void hundredThousandNestedDictsAreRefused() throws Exception {
        int depth = 100_000;
        PickleBytes p = PickleBytes.proto(2);
        for (int i = 0; i < depth; i++) {
            p.op('}').str("k");
        }
        p.op('N');
        for (int i = 0; i < depth; i++) {
            p.op('s'); // SETITEM
        }
        Path file = PickleBytes.zip(dir.resolve("deep_dicts.pt"), p.stop().bytes());
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("content nests deeper than 1000 (MAX_NESTING_DEPTH) levels at 'k.k.k");
    }

    @Test
    void aListThatContainsItselfIsRefused() throws Exception {
        // EMPTY_LIST BINPUT 0 BINGET 0 APPEND: a = []; a.append(a)
        byte[] pickle = PickleBytes.proto(2).op(']').op('q').raw(0).op('h').raw(0).op('a').stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("cycle.pt"), pickle);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("a list contains itself (a cycle through the pickle's memo) at '0'");
        // a longer cycle: a = {'b': [a]}
        byte[] longer = PickleBytes.proto(2).op('}').op('q').raw(0).str("b").op(']').op('h').raw(0).op('a')
                .op('s').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("cycle2.pt"), longer)))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("a dict contains itself")
                .hasMessageContaining("at 'b.0'");
    }

    /** L0 = [t, t]; L(i+1) = [L(i), L(i)] through the memo: 2^(levels+1) paths to t, levels + 1 lists. */
    private Path sharingBomb(String fileName, int levels) throws Exception {
        PickleBytes p = PickleBytes.proto(2);
        p.op(']').mark().tensor("FloatStorage", "0", 1, 0, SCALAR, SCALAR).op('q').raw(0).op('h').raw(0).op('e');
        p.op('r').le32(1); // LONG_BINPUT 1 = L0
        for (int i = 1; i <= levels; i++) {
            p.op(']').mark().op('j').le32(i).op('j').le32(i).op('e').op('r').le32(i + 1);
        }
        return PickleBytes.zip(dir.resolve(fileName), p.stop().bytes(), "0", PickleBytes.floats(1f));
    }

    @Test
    void aSmallSharedDagIsWalkedOncePerContainer() throws Exception {
        try (Checkpoint ckpt = Checkpoints.open(sharingBomb("dag.pt", 10))) {
            String path = "0" + ".0".repeat(9);
            assertThat(ckpt.tensorNames()).containsExactly(path + ".0", path + ".1");
            // the content is a DAG: the second half is the very list the first half is
            List<?> root = (List<?>) ckpt.content();
            assertThat(root.get(1)).isSameAs(root.get(0));
        }
    }

    @Test
    void aSharingBombIsRefusedNamingTheLimit() throws Exception {
        Path file = sharingBomb("bomb.pt", 64);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("content holds more than 16777216 (MAX_CONTENT_VALUES) values");
    }

    @Test
    void aSharedListPassedToManyCallsRunsOutOfWorkQuickly() throws Exception {
        // a list of 100,000 pairs, memoized, then OrderedDict(list) 5,000 times: 5e8 pair copies
        PickleBytes p = PickleBytes.proto(2).op(']').mark();
        for (int i = 0; i < 100_000; i++) {
            p.op('K').raw(1).op('K').raw(2).op(0x86);
        }
        p.op('e').op('q').raw(0).op('0'); // APPENDS, BINPUT 0, POP
        p.op(']').mark();
        for (int i = 0; i < 5_000; i++) {
            p.global("collections", "OrderedDict").op('h').raw(0).op(0x85).op('R');
        }
        p.op('e');
        Path file = PickleBytes.zip(dir.resolve("work.pt"), p.stop().bytes());
        long start = System.nanoTime();
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("units of work");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void aLegacyFileWhoseFirstPickleNestsDeepIsNotATorchFile() throws Exception {
        // the magic number's place holds 100,000 nested lists: the message must not print them
        PickleBytes p = PickleBytes.proto(2);
        for (int i = 0; i < 100_000; i++) {
            p.op(']');
        }
        for (int i = 0; i < 99_999; i++) {
            p.op('a');
        }
        Path file = dir.resolve("deep_magic.pt");
        Files.write(file, p.stop().bytes());
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("it starts with a list, not torch's magic number");
    }

    @Test
    void aTensorOfMoreThanMaxRankDimensionsIsRefused() throws Exception {
        long[] size = new long[ReaderLimits.MAX_RANK + 1];
        java.util.Arrays.fill(size, 1);
        byte[] pickle = PickleBytes.proto(2).op('}').str("t")
                .tensor("FloatStorage", "0", 1, 0, size, size).op('s').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("rank.pt"), pickle,
                "0", PickleBytes.floats(1))))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("65 dimensions (at most 64 (MAX_RANK))");
    }

    @Test
    void callersExtraGlobalsAreRecordedNeverCalled() throws Exception {
        // {'obj': mymodule.Thing(1, 'x') with BUILD state {'weight': tensor}}
        byte[] pickle = PickleBytes.proto(2).op('}').str("obj")
                .global("mymodule", "Thing").mark().integer(1).str("x").op('t').op('R')
                .op('}').str("weight").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s')
                .op('b').op('s').stop().bytes();
        Path file = PickleBytes.zip(dir.resolve("extra.pt"), pickle, "0", PickleBytes.floats(1f, 2f));

        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsafeCheckpointException.class)
                .hasMessageContaining("global mymodule.Thing is not on the allow-list");

        CheckpointOptions options = CheckpointOptions.defaults().withExtraPickleGlobals(Set.of("mymodule.Thing"));
        try (Checkpoint ckpt = Checkpoints.open(file, options)) {
            assertThat(ckpt.tensorNames()).containsExactly("obj.state.weight");
            PickledObject obj = (PickledObject) ((Map<?, ?>) ckpt.content()).get("obj");
            assertThat(obj.qualifiedName()).isEqualTo("mymodule.Thing");
            assertThat(obj.args()).containsExactly(1L, "x");
            assertThat(obj.state()).isEqualTo(Map.of("weight", new TensorRef("obj.state.weight")));
            assertThat(ckpt.tensor("obj.state.weight").toFloatArray()).containsExactly(1f, 2f);
        }
    }

    @Test
    void knownButUnsupportedGlobalsAreNotCalledUnsafe() throws Exception {
        byte[] pickle = PickleBytes.proto(2).mark().str("storage").global("torch", "ComplexFloatStorage").op('t')
                .stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("complex.pt"), pickle)))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("torch.ComplexFloatStorage: complex64 tensors are not supported");
    }

    @Test
    void aStorageNamedWithTwoDtypesIsCorrupt() throws Exception {
        byte[] pickle = PickleBytes.proto(2).mark()
                .tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .tensor("IntStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .op('l').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("two_dtypes.pt"), pickle,
                "0", PickleBytes.floats(1f, 2f))))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("storage '0' is named as 2 I32 elements after being named as 2 F32 elements");
    }

    @Test
    void negativeStridesAndOverflowingSizesAreCorrupt() throws Exception {
        byte[] negative = PickleBytes.proto(2).op('}').str("t")
                .tensor("FloatStorage", "0", 4, 3, new long[] {2}, new long[] {-1}).op('s').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("negative.pt"), negative,
                "0", PickleBytes.floats(1, 2, 3, 4))))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("tensor 't'")
                .hasMessageContaining("negative size or stride");
        byte[] overflow = PickleBytes.proto(2).op('}').str("t")
                .tensor("FloatStorage", "0", 4, 0, new long[] {1L << 40, 1L << 40}, new long[] {1L << 40, 1})
                .op('s').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.zip(dir.resolve("overflow.pt"), overflow,
                "0", PickleBytes.floats(1, 2, 3, 4))))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("tensor 't'")
                .hasMessageContaining("overflows a 64-bit element count");
    }

    @Test
    void legacyStorageViewsAreRangesOfTheirRoot() throws Exception {
        // ('storage', torch.FloatStorage, '0', 'cpu', 6, ('view', 2, 3)): elements 2..4 of storage '0'
        PickleBytes p = PickleBytes.proto(2).op('}').str("v")
                .global("torch._utils", "_rebuild_tensor").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(6)
                .mark().str("view").integer(2).integer(3).op('t').op('t').op('Q')
                .integer(1).tuple(2).tuple(1).op('t').op('R').op('s').stop();
        Path file = PickleBytes.legacy(dir.resolve("view.pt"), p.bytes(), "0", 6L, PickleBytes.floats(0, 1, 2, 3, 4, 5));
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            Tensor v = ckpt.tensor("v");
            assertThat(v.dtype()).isEqualTo(DType.F32);
            assertThat(v.toFloatArray()).containsExactly(3f, 4f); // view offset 2, then storage offset 1
        }
    }

    @Test
    void legacyKeyListAndPickleMustAgree() throws Exception {
        byte[] pickle = PickleBytes.proto(2).op('}').str("t")
                .tensor("FloatStorage", "7", 2, 0, new long[] {2}, new long[] {1}).op('s').stop().bytes();
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.legacy(dir.resolve("unlisted.pt"), pickle)))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("tensor 't'")
                .hasMessageContaining("storage '7' (2 F32 elements) is missing from the file's list");
        assertThatThrownBy(() -> Checkpoints.open(PickleBytes.legacy(dir.resolve("count.pt"), pickle,
                "7", 3L, PickleBytes.floats(1, 2, 3))))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("storage '7' holds 3 elements in the data section, but the pickle says 2");
    }

    @Test
    void everyTruncationOfALegacyFileFailsCleanly() throws Exception {
        byte[] whole = Files.readAllBytes(TorchFixtures.file("state_dict_legacy.pt"));
        Path file = dir.resolve("cut.pt");
        for (int length = 0; length < whole.length; length++) {
            Files.write(file, java.util.Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> Checkpoints.open(file)).as("first %d bytes", length)
                    .isInstanceOf(CheckpointException.class);
        }
    }

    @Test
    void everyTruncationOfAZipFileFailsCleanly() throws Exception {
        byte[] whole = Files.readAllBytes(TorchFixtures.file("state_dict_zip.pt"));
        Path file = dir.resolve("cut.pt");
        // every length through the central directory at the end, every 11th before it
        for (int length = 0; length < whole.length; length += length < whole.length - 400 ? 11 : 1) {
            Files.write(file, java.util.Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> Checkpoints.open(file)).as("first %d bytes", length)
                    .isInstanceOf(CheckpointException.class);
        }
    }

    @Test
    void aDamagedDeflatedStorageIsReportedWhenRead() throws Exception {
        byte[] bytes = Files.readAllBytes(TorchFixtures.file("state_dict_deflated.pt"));
        long offset;
        long compressed;
        try (org.apache.commons.compress.archivers.zip.ZipFile zip =
                org.apache.commons.compress.archivers.zip.ZipFile.builder()
                        .setPath(TorchFixtures.file("state_dict_deflated.pt")).get()) {
            var entry = zip.getEntry("state_dict_zip/data/0");
            offset = entry.getDataOffset();
            compressed = entry.getCompressedSize();
        }
        bytes[(int) (offset + compressed / 2)] ^= 0x10;
        Path file = dir.resolve("damaged.pt");
        Files.write(file, bytes);
        // opening reads metadata only; the inflation, and its CRC check, happen on first read
        try (Checkpoint ckpt = Checkpoints.open(file)) {
            assertThat(ckpt.tensor("transformer.wpe.weight").numel()).isEqualTo(64);
            assertThatThrownBy(() -> ckpt.tensor("transformer.wte.weight"))
                    .isExactlyInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("tensor 'transformer.wte.weight'")
                    .hasMessageContaining("zip entry 'state_dict_zip/data/0'")
                    .hasMessageMatching("(?s).*(CRC-32|invalid DEFLATE|inflates to).*");
        }
    }

    /** Random byte damage: every outcome is a good read or a CheckpointException, never another exception. */
    @Test
    void flippedBytesNeverEscapeAsOtherExceptions() throws Exception {
        long seed = System.nanoTime();
        System.out.println("flippedBytesNeverEscapeAsOtherExceptions seed " + seed);
        Random random = new Random(seed);
        String[] sources = {"state_dict_legacy.pt", "nested_zip_p4.pt", "views_legacy_p4.pt", "nanogpt_ckpt.pt"};
        Path file = dir.resolve("flipped.pt");
        for (int round = 0; round < 400; round++) {
            byte[] bytes = Files.readAllBytes(TorchFixtures.file(sources[round % sources.length]));
            // damage the pickles, where parsing happens, more than the raw storage bytes
            int limit = Math.min(bytes.length, 4096);
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                bytes[random.nextInt(limit)] ^= (byte) (1 << random.nextInt(8));
            }
            Files.write(file, bytes);
            try (Checkpoint ckpt = Checkpoints.open(file)) {
                for (String name : ckpt.tensorNames()) {
                    ckpt.tensor(name).numel();
                }
            } catch (CheckpointException expected) {
                assertThat(expected.getMessage()).startsWith(file.toString());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + " round " + round + ": " + e, e);
            }
        }
    }
}
