package io.github.vectorlm.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes tensors to a safetensors file, one tensor at a time (never all of them in memory):
 * the header is made from {@link Checkpoint#info} alone, then each tensor's bytes are streamed to
 * the file, non-contiguous tensors row by row in row-major order. Values are written exactly as
 * they are (no conversion).
 *
 * <p>The header lists the tensors in the source's order, after {@code __metadata__} when there is
 * any; it is padded with spaces to a multiple of 8 bytes. The data lie in order of decreasing
 * element size (as Hugging Face's writer does), so every tensor starts at a multiple of its element
 * size. The file is written beside {@code out} under a temporary name (a hidden
 * {@code .NAME.*.tmp}, created with the permissions the umask gives new files) and moved into
 * place when complete.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoints.open(Path.of("pytorch_model.bin"))) {
 *     SafetensorsWriter.write(ckpt, Path.of("model.safetensors"));
 * }
 * }</pre>
 */
public final class SafetensorsWriter {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final long WRITE_CHUNK = 1L << 26;

    private SafetensorsWriter() {
    }

    /** Writes every tensor of {@code source}, under its own name, with no metadata. */
    public static void write(Checkpoint source, Path out) throws IOException {
        write(source, out, Function.identity(), Map.of());
    }

    /**
     * Writes the tensors of {@code source} that {@code rename} maps to a name (null skips one),
     * with {@code metadata} as {@code __metadata__} (omitted when empty).
     *
     * @throws IllegalArgumentException if two tensors get the same name or one is named {@code __metadata__}
     * @throws IOException if reading a tensor or writing the file fails
     */
    public static void write(Checkpoint source, Path out, Function<String, String> rename, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(rename, "rename");
        List<Item> items = new ArrayList<>();
        for (String name : source.tensorNames()) {
            String outName = rename.apply(name);
            if (outName != null) {
                items.add(new Item(outName, source.info(name), () -> source.tensor(name)));
            }
        }
        write(items, out, metadata);
    }

    /** Writes in-memory (or already opened) tensors under the map's names, in its iteration order. */
    public static void write(Map<String, Tensor> tensors, Path out, Map<String, String> metadata) throws IOException {
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            items.add(new Item(e.getKey(), new TensorInfo(e.getKey(), t.dtype(), t.shape()), () -> t));
        }
        write(items, out, metadata);
    }

    /** Gives a tensor when the writer is about to write it. */
    @FunctionalInterface
    public interface TensorSupplier {
        /**
         * The tensor, of the dtype and shape its {@link Item} said.
         *
         * @return the tensor
         * @throws IOException if it cannot be read
         */
        Tensor get() throws IOException;

        /** Called once the tensor {@link #get} gave has been written: a copy may be freed now. */
        default void written() {
        }
    }

    /**
     * One tensor to write, named and described before its data is asked for.
     *
     * @param name its name in the file
     * @param info its dtype and shape
     * @param tensor gives it, once, when it is written
     */
    public record Item(String name, TensorInfo info, TensorSupplier tensor) {
    }

    /**
     * Writes {@code items}: the header from their infos, then each tensor taken from its supplier
     * only when its turn comes (in order of decreasing element size, the items' order among equal
     * sizes), so that a caller can make tensors one at a time and free each after
     * {@link TensorSupplier#written()}.
     *
     * @param items the tensors, in the header's order
     * @param out the file to write
     * @param metadata the {@code __metadata__} strings (omitted when empty)
     * @throws IllegalArgumentException if two tensors get the same name or one is named {@code __metadata__}
     * @throws IOException if reading a tensor or writing the file fails
     */
    public static void write(List<Item> items, Path out, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(metadata, "metadata");
        Set<String> seen = new HashSet<>();
        for (Item item : items) {
            if (item.name().equals(SafetensorsCheckpoint.METADATA_KEY) || !seen.add(item.name())) {
                throw new IllegalArgumentException("tensor name '" + item.name() + "' is "
                        + (seen.contains(item.name()) ? "used twice" : "reserved"));
            }
        }
        // Largest elements first: each tensor then starts at a multiple of its element size.
        List<Item> layout = new ArrayList<>(items);
        layout.sort(Comparator.comparingInt((Item i) -> i.info().dtype().byteSize()).reversed());
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long position = 0;
        for (Item item : layout) {
            long end = Math.addExact(position, item.info().dataBytes());
            offsets.put(item.name(), new long[] {position, end});
            position = end;
        }
        byte[] header = header(items, offsets, metadata);

        Path absolute = out.toAbsolutePath();
        Path temp = OutputFiles.temporaryFile(out);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(channel, length);
                writeFully(channel, ByteBuffer.wrap(header));
                ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
                for (Item item : layout) {
                    Tensor t = item.tensor().get();
                    if (t.dtype() != item.info().dtype() || !t.shape().equals(item.info().shape())) {
                        throw new IllegalStateException("tensor '" + item.name() + "' is " + t + " but its info said "
                                + item.info().dtype() + " " + item.info().shape());
                    }
                    writeTensor(channel, t, buffer);
                    item.tensor().written();
                }
                channel.force(false);
            }
            OutputFiles.moveIntoPlace(temp, absolute);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static byte[] header(List<Item> items, Map<String, long[]> offsets, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            json.put(SafetensorsCheckpoint.METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        for (Item item : items) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", SafetensorsCheckpoint.dtypeName(item.info().dtype()));
            entry.put("shape", item.info().shape().toArray());
            entry.put("data_offsets", offsets.get(item.name()));
            json.put(item.name(), entry);
        }
        byte[] text = new ObjectMapper().writeValueAsBytes(json);
        int padded = (text.length + 7) & ~7;
        byte[] header = new byte[padded];
        System.arraycopy(text, 0, header, 0, text.length);
        java.util.Arrays.fill(header, text.length, padded, (byte) ' ');
        return header;
    }

    /** Streams the tensor's elements in row-major order. */
    private static void writeTensor(FileChannel channel, Tensor t, ByteBuffer buffer) throws IOException {
        if (t.isContiguous()) {
            MemorySegment data = t.contiguousData();
            for (long done = 0; done < data.byteSize(); ) {
                long piece = Math.min(WRITE_CHUNK, data.byteSize() - done);
                writeFully(channel, data.asSlice(done, piece).asByteBuffer());
                done += piece;
            }
            return;
        }
        // Non-contiguous: walk the rows (all axes but the last) and gather each row's elements.
        int rank = t.rank();
        int size = t.dtype().byteSize();
        long rowLength = t.dim(-1);
        long rowStride = t.stride(-1) * size;
        long[] index = new long[rank - 1];
        long rows = t.numel() / rowLength;
        MemorySegment staging = MemorySegment.ofBuffer(buffer);
        buffer.clear();
        for (long r = 0; r < rows; r++) {
            long address = t.byteOffset();
            for (int a = 0; a < rank - 1; a++) {
                address += index[a] * t.stride(a) * size;
            }
            if (rowStride == size) {
                long rowBytes = rowLength * size;
                for (long done = 0; done < rowBytes; ) {
                    if (!buffer.hasRemaining()) {
                        flush(channel, buffer);
                    }
                    int piece = (int) Math.min(buffer.remaining(), rowBytes - done);
                    MemorySegment.copy(t.segment(), address + done, staging, buffer.position(), piece);
                    buffer.position(buffer.position() + piece);
                    done += piece;
                }
            } else {
                for (long i = 0; i < rowLength; i++) {
                    if (buffer.remaining() < size) {
                        flush(channel, buffer);
                    }
                    MemorySegment.copy(t.segment(), address + i * rowStride, staging, buffer.position(), size);
                    buffer.position(buffer.position() + size);
                }
            }
            for (int a = rank - 2; a >= 0; a--) {
                if (++index[a] < t.dim(a)) {
                    break;
                }
                index[a] = 0;
            }
        }
        flush(channel, buffer);
    }

    private static void flush(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.flip();
        writeFully(channel, buffer);
        buffer.clear();
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
