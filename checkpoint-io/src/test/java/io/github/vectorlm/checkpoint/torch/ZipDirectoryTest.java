package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written zip directory reader against two independent readers (the JDK's
 * {@code java.util.zip.ZipFile} for names, methods, sizes and CRCs; commons-compress for where each
 * entry's data starts) on every torch zip fixture, and against damaged directories.
 */
class ZipDirectoryTest {
    static Stream<Path> zipFixtures() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String set : List.of("torch/expected.json", "torch2/expected.json")) {
            Path dir = TorchFixtures.resource(set).getParent();
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> p.toString().endsWith(".pt") && isZip(p)).forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThan(10);
        return files.stream();
    }

    private static boolean isZip(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("zipFixtures")
    void everyFixtureReadsAsTheJdkAndCommonsCompressReadIt(Path file) throws Exception {
        MemorySegment zip = MemorySegment.ofArray(Files.readAllBytes(file));
        try (java.util.zip.ZipFile jdk = new java.util.zip.ZipFile(file.toFile())) {
            assertThat(jdk.size()).isPositive();
        } catch (java.util.zip.ZipException unreadable) { // bad/truncated_zip.pt
            assertThatThrownBy(() -> ZipDirectory.read(file, zip)).isInstanceOf(CorruptCheckpointException.class);
            return;
        }
        List<ZipDirectory.Entry> entries = ZipDirectory.read(file, zip);
        try (java.util.zip.ZipFile jdk = new java.util.zip.ZipFile(file.toFile());
                org.apache.commons.compress.archivers.zip.ZipFile cc =
                        org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(file).get()) {
            assertThat(entries).extracting(ZipDirectory.Entry::name)
                    .containsExactlyElementsOf(jdk.stream().map(ZipEntry::getName).toList());
            for (ZipDirectory.Entry e : entries) {
                ZipEntry expected = jdk.getEntry(e.name());
                assertThat(e.method()).as(e.name()).isEqualTo(expected.getMethod());
                assertThat(e.size()).as(e.name()).isEqualTo(expected.getSize());
                assertThat(e.compressedSize()).as(e.name()).isEqualTo(expected.getCompressedSize());
                assertThat(e.crc()).as(e.name()).isEqualTo(expected.getCrc());
                assertThat(e.encrypted()).isFalse();
                assertThat(e.dataOffset(file, zip, null)).as(e.name()).isEqualTo(cc.getEntry(e.name()).getDataOffset());
            }
        }
    }

    @Test
    void theZip64FixtureUsesZip64RecordsAndReadsTheSame() throws Exception {
        Path file = TorchFixtures.file("state_dict_zip64.pt");
        byte[] bytes = Files.readAllBytes(file);
        assertThat(indexOf(bytes, 0x06064b50)).as("a Zip64 end-of-directory record").isPositive();
        assertThat(ZipDirectory.read(file, MemorySegment.ofArray(bytes))).isNotEmpty();
    }

    @Test
    void aCommentAfterTheEndRecordIsSkipped() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buffer)) {
            z.setComment("PK\u0005\u0006 is not an end record here; the comment is 60 bytes or so long");
            PickleBytes.stored(z, "a/data.pkl", new byte[] {1, 2, 3});
        }
        List<ZipDirectory.Entry> entries = ZipDirectory.read(Path.of("c.zip"), MemorySegment.ofArray(buffer.toByteArray()));
        assertThat(entries).extracting(ZipDirectory.Entry::name).containsExactly("a/data.pkl");
    }

    @Test
    void aDirectoryClaimingMoreEntriesThanItsBytesHoldIsRefusedBeforeAllocating() throws Exception {
        byte[] bytes = twoEntries();
        int end = lastIndexOf(bytes, 0x06054b50);
        putShort(bytes, end + 8, 0xffff);
        putShort(bytes, end + 10, 0xffff);
        assertCorrupt(bytes, "claims 65535 entries");
    }

    @Test
    void aDirectoryOutsideTheFileIsRefused() throws Exception {
        byte[] bytes = twoEntries();
        int end = lastIndexOf(bytes, 0x06054b50);
        putInt(bytes, end + 16, 0x7fff0000);
        assertCorrupt(bytes, "does not fit before its end record");
    }

    @Test
    void aLocalHeaderOffsetPastTheFileIsReportedWithTheEntrysName() throws Exception {
        byte[] bytes = twoEntries();
        int central = indexOf(bytes, 0x02014b50);
        putInt(bytes, central + 42, bytes.length - 10);
        MemorySegment zip = MemorySegment.ofArray(bytes);
        ZipDirectory.Entry first = ZipDirectory.read(Path.of("x.zip"), zip).getFirst();
        assertThatThrownBy(() -> first.dataOffset(Path.of("x.zip"), zip, "w"))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("x.zip").hasMessageContaining("tensor 'w'")
                .hasMessageContaining("zip entry 'one': no local header");
    }

    @Test
    void aZip64LocatorPointingNowhereIsRefused() throws Exception {
        byte[] bytes = twoEntries();
        int end = lastIndexOf(bytes, 0x06054b50);
        ByteBuffer b = ByteBuffer.allocate(bytes.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        b.put(bytes, 0, end).putInt(0x07064b50).putInt(0).putLong(12345).putInt(1).put(bytes, end, bytes.length - end);
        assertCorrupt(b.array(), "Zip64 end-of-directory locator points at byte 12345");
    }

    @Test
    void aSplitArchiveIsUnsupported() throws Exception {
        byte[] bytes = twoEntries();
        int end = lastIndexOf(bytes, 0x06054b50);
        putShort(bytes, end + 4, 1);
        assertThatThrownBy(() -> ZipDirectory.read(Path.of("s.zip"), MemorySegment.ofArray(bytes)))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("split (multi-disk)");
    }

    @Test
    void anAllOnesSizeWithoutAZip64ExtraFieldStandsAsWritten() throws Exception {
        byte[] bytes = twoEntries();
        int central = indexOf(bytes, 0x02014b50);
        putInt(bytes, central + 24, 0xffffffff); // size: "in the Zip64 extra field", which is absent
        List<ZipDirectory.Entry> entries = ZipDirectory.read(Path.of("z.zip"), MemorySegment.ofArray(bytes));
        assertThat(entries.getFirst().size()).isEqualTo(0xffffffffL); // no extra field: the 32-bit value stands
    }

    @Test
    void everyTruncationAndEveryByteFlipOfTheDirectoryEndsInACheckpointExceptionOrAReadableDirectory() throws Exception {
        byte[] whole = twoEntries();
        int central = indexOf(whole, 0x02014b50);
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            readOrRefuse(cut);
        }
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            byte[] damaged = whole.clone();
            int at = central + random.nextInt(whole.length - central);
            damaged[at] = (byte) random.nextInt(256);
            readOrRefuse(damaged);
        }
    }

    private static void readOrRefuse(byte[] bytes) {
        MemorySegment zip = MemorySegment.ofArray(bytes);
        try {
            for (ZipDirectory.Entry e : ZipDirectory.read(Path.of("d.zip"), zip)) {
                long offset = e.dataOffset(Path.of("d.zip"), zip, null);
                assertThat(offset).isBetween(0L, (long) bytes.length);
            }
        } catch (CheckpointException e) {
            assertThat(e.getMessage()).contains("d.zip");
        }
    }

    private static void assertCorrupt(byte[] bytes, String message) {
        assertThatThrownBy(() -> ZipDirectory.read(Path.of("bad.zip"), MemorySegment.ofArray(bytes)))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("bad.zip").hasMessageContaining("not a readable zip archive")
                .hasMessageContaining(message);
    }

    private static byte[] twoEntries() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buffer)) {
            PickleBytes.stored(z, "one", new byte[] {1, 2, 3, 4});
            PickleBytes.stored(z, "two", new byte[] {5, 6});
        }
        return buffer.toByteArray();
    }

    private static int indexOf(byte[] bytes, int signature) {
        return find(bytes, signature, false);
    }

    private static int lastIndexOf(byte[] bytes, int signature) {
        return find(bytes, signature, true);
    }

    /** The first (or last) byte at which the little-endian {@code signature} stands, or -1. */
    private static int find(byte[] bytes, int signature, boolean last) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int found = -1;
        for (int i = 0; i + 4 <= bytes.length && (found < 0 || last); i++) {
            if (b.getInt(i) == signature) {
                found = i;
            }
        }
        return found;
    }

    private static void putShort(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    }

    private static void putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }
}
