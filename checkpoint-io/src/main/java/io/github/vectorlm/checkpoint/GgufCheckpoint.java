package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open GGUF file; see {@link GgufReader} for the format, the shapes, the metadata values and
 * what is validated. Beyond {@link Checkpoint} it gives the header's facts and each metadata
 * key's GGUF type.
 */
public final class GgufCheckpoint implements Checkpoint {
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    /** ggml's default, used when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The key that sets the alignment. */
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's {@code GGML_MAX_DIMS}. */
    static final int MAX_DIMS = 4;
    /** Fewest bytes of a key/value pair (u64 key length, u32 type, a one-byte value) and of a tensor info. */
    static final int MIN_KV_BYTES = 13;
    static final int MIN_TENSOR_INFO_BYTES = 24;
    static final int MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One tensor info; {@code offset} is relative to the data section while parsing, then absolute. */
    record Entry(String name, GgmlType type, Shape shape, long offset, long bytes) {
        TensorInfo info() {
            BlockType block = type.blockType();
            return block == null ? new TensorInfo(name, type.dtype(), shape)
                    : new TensorInfo(name, DType.F32, shape, block);
        }
    }

    private final Path path;
    private final MappedFile file;
    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> types;
    private final Map<String, GgufValueType> elementTypes;
    private final Map<String, Entry> entries;
    private final List<String> names;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GgufCheckpoint(Path path, MappedFile file, GgufParser parsed) {
        this.path = path;
        this.file = file;
        this.version = parsed.version;
        this.alignment = parsed.alignment;
        this.dataOffset = parsed.dataOffset;
        this.metadata = Collections.unmodifiableMap(parsed.metadata);
        this.types = parsed.types;
        this.elementTypes = parsed.elementTypes;
        this.entries = parsed.entries;
        this.names = List.copyOf(parsed.entries.keySet());
    }

    static GgufCheckpoint open(Path path) throws IOException {
        MappedFile file = MappedFile.open(path);
        try {
            GgufParser parser = new GgufParser(path, file.segment());
            parser.parse();
            return new GgufCheckpoint(path, file, parser);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The file's GGUF version: 2 or 3. */
    public int version() {
        return version;
    }

    /** The alignment of the tensor data: {@code general.alignment}, or {@value #DEFAULT_ALIGNMENT}. */
    public long alignment() {
        return alignment;
    }

    /** Where the data section starts in the file: the end of the tensor infos, rounded up to the alignment. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The metadata, key to value, in file order: the same map as {@link #content()}. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * The GGUF type of a key's value.
     *
     * @throws IllegalArgumentException if there is no such key
     */
    public GgufValueType metadataType(String key) {
        GgufValueType t = types.get(key);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no metadata key '" + key + "'");
        }
        return t;
    }

    /**
     * The GGUF type of the elements of an array-valued key ({@link GgufValueType#ARRAY} for an
     * array of arrays, whose inner arrays each carry their own type).
     *
     * @throws IllegalArgumentException if there is no such key or its value is not an array
     */
    public GgufValueType arrayElementType(String key) {
        if (metadataType(key) != GgufValueType.ARRAY) {
            throw new IllegalArgumentException(path + ": metadata key '" + key + "' is " + types.get(key) + ", not an array");
        }
        return elementTypes.get(key);
    }

    /**
     * The ggml type of the named tensor, as the file stores it.
     *
     * @throws IllegalArgumentException if there is no such tensor
     */
    public GgmlType ggmlType(String name) {
        return entry(name).type();
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public CheckpointFormat format() {
        return CheckpointFormat.GGUF;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info();
    }

    @Override
    public Tensor tensor(String name) throws UnsupportedCheckpointException {
        Entry e = entry(name);
        checkOpen();
        BlockType block = e.type().blockType();
        if (block == null) {
            return Tensor.of(e.type().dtype(), e.shape(), file.segment(), e.offset());
        }
        if (!block.canDequantize()) {
            throw new UnsupportedCheckpointException(path, name, block + " blocks are not dequantized by this library "
                    + "(dequantized: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
        }
        return quantized(name).dequantize(Arena.ofAuto());
    }

    @Override
    public QuantizedTensor quantized(String name) {
        Entry e = entry(name);
        checkOpen();
        if (e.type().blockType() == null) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is " + e.type()
                    + ", not block-quantized; read it with tensor(name)");
        }
        return QuantizedTensor.of(e.type().blockType(), e.shape(), file.segment(), e.offset());
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(path + ": no tensor '" + name + "'");
        }
        return e;
    }

    @Override
    public Object content() {
        return metadata;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return "GgufCheckpoint[" + path + ", v" + version + ", " + names.size() + " tensors]";
    }

    /**
     * A GGUF array of fixed-size values, kept as the file's bytes and boxed on each read:
     * {@code Long}, {@code BigInteger} (UINT64 above {@code Long.MAX_VALUE}), {@code Double} or
     * {@code Boolean}.
     */
    static final class GgufArray extends java.util.AbstractList<Object> implements java.util.RandomAccess {
        private final GgufValueType type;
        private final MemorySegment bytes;
        private final int size;

        GgufArray(GgufValueType type, byte[] raw, int size) {
            this.type = type;
            this.bytes = MemorySegment.ofArray(raw);
            this.size = size;
        }

        /** The element type. */
        GgufValueType type() {
            return type;
        }

        @Override
        public Object get(int index) {
            java.util.Objects.checkIndex(index, size);
            return decode(type, bytes, (long) index * type.minBytes());
        }

        @Override
        public int size() {
            return size;
        }

        static Object decode(GgufValueType type, MemorySegment s, long at) {
            return switch (type) {
                case UINT8 -> (long) (s.get(ValueLayout.JAVA_BYTE, at) & 0xff);
                case INT8 -> (long) s.get(ValueLayout.JAVA_BYTE, at);
                case UINT16 -> (long) (s.get(I16, at) & 0xffff);
                case INT16 -> (long) s.get(I16, at);
                case UINT32 -> s.get(I32, at) & 0xffffffffL;
                case INT32 -> (long) s.get(I32, at);
                case FLOAT32 -> (double) Float.intBitsToFloat(s.get(I32, at));
                case BOOL -> s.get(ValueLayout.JAVA_BYTE, at) != 0;
                case UINT64 -> {
                    long v = s.get(I64, at);
                    yield v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
                }
                case INT64 -> s.get(I64, at);
                case FLOAT64 -> Double.longBitsToDouble(s.get(I64, at));
                case STRING, ARRAY -> throw new IllegalArgumentException(type + " has no fixed size");
            };
        }
    }
}
