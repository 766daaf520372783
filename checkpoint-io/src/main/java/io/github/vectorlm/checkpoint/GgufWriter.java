package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.BlockType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes GGUF version 3 files, little-endian, in the one layout ggml reads (and {@link GgufReader}
 * checks): the magic, version, tensor and key/value counts, the metadata in the order given, one
 * info per tensor (name, dimensions innermost first, ggml type, offset), padding to the alignment,
 * then each tensor's data at the previous one's end rounded up to the alignment, the last padded
 * too (as gguf-py and ggml write them).
 *
 * <p>The header is made from the tensors' descriptions alone; their data is then asked for one
 * tensor at a time ({@link TensorData}), so a model is never held whole. The file is written under
 * a temporary name beside {@code out} and moved into place when complete.
 *
 * <pre>{@code
 * GgufWriter.Metadata md = new GgufWriter.Metadata()
 *         .putString("general.architecture", "gpt2")
 *         .putUint32("gpt2.block_count", 12);
 * GgufWriter.write(Path.of("model.gguf"), md, List.of(
 *         new GgufWriter.TensorSpec("token_embd.weight", GgmlType.F32, new long[] {50257, 768},
 *                 sink -> sink.write(wte.contiguousData()))));
 * }</pre>
 */
public final class GgufWriter {
    /** ggml's default alignment, and the one this writer uses unless {@code general.alignment} is set. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** {@code GGML_MAX_NAME}: a tensor name must be shorter (ggml keeps it in a 64-byte field with its NUL). */
    public static final int MAX_NAME_BYTES = 63;

    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int VERSION = 3;
    private static final int BUFFER_BYTES = 1 << 20;

    private GgufWriter() {
    }

    /** Metadata key/value pairs in the order they are put; each key once. */
    public static final class Metadata {
        private final List<Entry> entries = new ArrayList<>();
        private final Set<String> keys = new HashSet<>();

        /** One key/value pair; {@code elementType} is set for arrays. */
        private record Entry(String key, GgufValueType type, GgufValueType elementType, Object value) {
        }

        /**
         * A string value.
         *
         * @param key the key
         * @param value the value
         * @return this
         */
        public Metadata putString(String key, String value) {
            return add(key, GgufValueType.STRING, null, Objects.requireNonNull(value, key));
        }

        /**
         * A UINT32 value.
         *
         * @param key the key
         * @param value from 0 to 2³² − 1
         * @return this
         */
        public Metadata putUint32(String key, long value) {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException(key + ": " + value + " is no uint32");
            }
            return add(key, GgufValueType.UINT32, null, value);
        }

        /**
         * An INT32 value.
         *
         * @param key the key
         * @param value the value
         * @return this
         */
        public Metadata putInt32(String key, int value) {
            return add(key, GgufValueType.INT32, null, (long) value);
        }

        /**
         * A FLOAT32 value.
         *
         * @param key the key
         * @param value the value
         * @return this
         */
        public Metadata putFloat32(String key, float value) {
            return add(key, GgufValueType.FLOAT32, null, value);
        }

        /**
         * A BOOL value.
         *
         * @param key the key
         * @param value the value
         * @return this
         */
        public Metadata putBool(String key, boolean value) {
            return add(key, GgufValueType.BOOL, null, value);
        }

        /**
         * An array of strings.
         *
         * @param key the key
         * @param values the strings
         * @return this
         */
        public Metadata putStringArray(String key, List<String> values) {
            return add(key, GgufValueType.ARRAY, GgufValueType.STRING, List.copyOf(values));
        }

        /**
         * An array of INT32s.
         *
         * @param key the key
         * @param values the values
         * @return this
         */
        public Metadata putInt32Array(String key, int[] values) {
            return add(key, GgufValueType.ARRAY, GgufValueType.INT32, values.clone());
        }

        /**
         * The keys put so far, in order.
         *
         * @return the keys
         */
        public List<String> keys() {
            return entries.stream().map(Entry::key).toList();
        }

        private Metadata add(String key, GgufValueType type, GgufValueType elementType, Object value) {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty() || !keys.add(key)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is " + (key.isEmpty() ? "empty" : "put twice"));
            }
            if (key.equals(GgufCheckpoint.ALIGNMENT_KEY) && (type != GgufValueType.UINT32
                    || Long.bitCount((Long) value) != 1)) {
                throw new IllegalArgumentException(key + " must be a UINT32 power of two");
            }
            entries.add(new Entry(key, type, elementType, value));
            return this;
        }

        long alignment() {
            for (Entry e : entries) {
                if (e.key().equals(GgufCheckpoint.ALIGNMENT_KEY)) {
                    return (Long) e.value();
                }
            }
            return DEFAULT_ALIGNMENT;
        }

        void encode(Bytes out) {
            for (Entry e : entries) {
                out.string(e.key());
                out.u32(e.type().id());
                if (e.type() == GgufValueType.ARRAY) {
                    out.u32(e.elementType().id());
                    if (e.value() instanceof int[] ints) {
                        out.u64(ints.length);
                        for (int v : ints) {
                            out.u32(v);
                        }
                    } else {
                        List<?> list = (List<?>) e.value();
                        out.u64(list.size());
                        for (Object v : list) {
                            out.string((String) v);
                        }
                    }
                } else {
                    scalar(out, e.type(), e.value());
                }
            }
        }

        private static void scalar(Bytes out, GgufValueType type, Object value) {
            switch (type) {
                case STRING -> out.string((String) value);
                case UINT32, INT32 -> out.u32((int) (long) (Long) value);
                case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) value));
                case BOOL -> out.u8((Boolean) value ? 1 : 0);
                default -> throw new IllegalStateException(type.toString());
            }
        }
    }

    /** Where a tensor's data goes: exactly the bytes its type and shape take, in order. */
    public interface DataSink {
        /**
         * Appends the bytes of {@code data}.
         *
         * @param data bytes to write
         * @throws IOException if writing fails
         */
        void write(MemorySegment data) throws IOException;
    }

    /** Writes one tensor's data when its turn comes. */
    @FunctionalInterface
    public interface TensorData {
        /**
         * Writes the tensor's bytes (ggml's layout of its type, rows in row-major order).
         *
         * @param sink where they go
         * @throws IOException if reading the source or writing fails
         */
        void writeTo(DataSink sink) throws IOException;
    }

    /**
     * One tensor of the file.
     *
     * @param name its name (at most {@value #MAX_NAME_BYTES} bytes of UTF-8)
     * @param type its ggml type
     * @param shape its shape, row-major (the file lists it reversed); 1 to 4 dimensions, the last a
     *     whole number of blocks for a block type
     * @param data writes its bytes
     */
    public record TensorSpec(String name, GgmlType type, long[] shape, TensorData data) {
        /**
         * Checks the name, the rank and the blocks.
         *
         * @throws IllegalArgumentException naming the tensor
         */
        public TensorSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(data, "data");
            shape = shape.clone();
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES || name.isEmpty()) {
                throw new IllegalArgumentException("tensor name '" + name + "' must be 1 to " + MAX_NAME_BYTES + " bytes");
            }
            if (shape.length < 1 || shape.length > 4) {
                throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions; GGUF takes 1 to 4");
            }
            for (long d : shape) {
                if (d < 1) {
                    throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape));
                }
            }
            BlockType block = type.blockType();
            if (block != null && shape[shape.length - 1] % block.blockSize() != 0) {
                throw new IllegalArgumentException("tensor '" + name + "': rows of " + shape[shape.length - 1]
                        + " values are no whole number of " + type + " blocks of " + block.blockSize());
            }
            if (block == null && type.dtype() == null) {
                throw new IllegalArgumentException("tensor '" + name + "': type " + type + " has no size");
            }
        }

        /**
         * The bytes its data takes.
         *
         * @return the size
         */
        public long dataBytes() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return type.blockType() != null ? type.blockType().bytesFor(n) : Math.multiplyExact(n, type.dtype().byteSize());
        }
    }

    /**
     * Writes the file.
     *
     * @param out the file to write (replaced if it exists)
     * @param metadata the key/value pairs, in order
     * @param tensors the tensors, in order
     * @throws IllegalArgumentException if two tensors share a name
     * @throws IllegalStateException if a tensor's data writer writes another number of bytes than its spec says
     * @throws IOException if a source cannot be read or the file cannot be written
     */
    public static void write(Path out, Metadata metadata, List<TensorSpec> tensors) throws IOException {
        Set<String> names = new HashSet<>();
        for (TensorSpec t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is used twice");
            }
        }
        long alignment = metadata.alignment();
        Bytes header = new Bytes();
        header.u32(MAGIC);
        header.u32(VERSION);
        header.u64(tensors.size());
        header.u64(metadata.entries.size());
        metadata.encode(header);
        long offset = 0;
        for (TensorSpec t : tensors) {
            header.string(t.name());
            header.u32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) {
                header.u64(t.shape()[d]);
            }
            header.u32(t.type().id());
            header.u64(offset);
            offset = pad(Math.addExact(offset, t.dataBytes()), alignment);
        }
        header.zeros((int) (pad(header.size(), alignment) - header.size()));

        Path temp = OutputFiles.temporaryFile(out);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(channel, ByteBuffer.wrap(header.array(), 0, header.size()));
                Sink sink = new Sink(channel);
                for (TensorSpec t : tensors) {
                    sink.written = 0;
                    t.data().writeTo(sink);
                    sink.flush();
                    if (sink.written != t.dataBytes()) {
                        throw new IllegalStateException("tensor '" + t.name() + "': " + sink.written
                                + " bytes written, its " + t.type() + " " + Arrays.toString(t.shape()) + " takes "
                                + t.dataBytes());
                    }
                    long padding = pad(t.dataBytes(), alignment) - t.dataBytes();
                    writeFully(channel, ByteBuffer.allocate((int) padding));
                }
                channel.force(false);
            }
            OutputFiles.moveIntoPlace(temp, out);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static long pad(long n, long alignment) {
        return Math.addExact(n, alignment - 1) / alignment * alignment;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Small writes gathered in a buffer, large ones straight to the channel. */
    private static final class Sink implements DataSink {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        private final MemorySegment staging = MemorySegment.ofBuffer(buffer);
        long written;

        Sink(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(MemorySegment data) throws IOException {
            long n = data.byteSize();
            written = Math.addExact(written, n);
            if (n >= BUFFER_BYTES / 2) {
                flush();
                for (long done = 0; done < n; ) {
                    long piece = Math.min(1L << 26, n - done);
                    writeFully(channel, data.asSlice(done, piece).asByteBuffer());
                    done += piece;
                }
                return;
            }
            if (buffer.remaining() < n) {
                flush();
            }
            MemorySegment.copy(data, 0, staging, buffer.position(), n);
            buffer.position(buffer.position() + (int) n);
        }

        void flush() throws IOException {
            buffer.flip();
            writeFully(channel, buffer);
            buffer.clear();
        }
    }

    /** A growable little-endian byte array for the header. */
    private static final class Bytes {
        private byte[] data = new byte[1 << 16];
        private int size;

        int size() {
            return size;
        }

        byte[] array() {
            return data;
        }

        private void room(int n) {
            if (size + n > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
            }
        }

        void u8(int v) {
            room(1);
            data[size++] = (byte) v;
        }

        void u32(int v) {
            room(4);
            ByteBuffer.wrap(data, size, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
            size += 4;
        }

        void u64(long v) {
            room(8);
            ByteBuffer.wrap(data, size, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
            size += 8;
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            room(b.length);
            System.arraycopy(b, 0, data, size, b.length);
            size += b.length;
        }

        void zeros(int n) {
            room(n);
            size += n;
        }
    }
}
