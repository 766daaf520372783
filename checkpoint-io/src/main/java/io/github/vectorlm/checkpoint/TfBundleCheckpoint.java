package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/** An open TensorFlow tensor bundle; see {@link TfBundleReader}. */
final class TfBundleCheckpoint implements Checkpoint {
    /** The bundle format version this reader implements ({@code kTensorBundleVersion}). */
    private static final int BUNDLE_VERSION = 1;
    /** {@code %05d} in TensorFlow's data file names. */
    private static final int MAX_SHARDS = 99_999;

    /** One BundleEntryProto, decoded and checked. {@code dtype} is null for DT_STRING. */
    private record Entry(String name, int tfType, DType dtype, Shape shape, int shard, long offset, long size,
            int maskedCrc, int slices) {
        boolean isString() {
            return tfType == TfDataType.DT_STRING;
        }
    }

    private final Path index;
    private final CheckpointOptions options;
    private final Map<String, Entry> entries;          // numeric tensors, key order
    private final List<String> names;
    private final MappedFile[] shards;                 // null where no entry lives
    private final Map<String, Object> content;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TfBundleCheckpoint(Path index, CheckpointOptions options, Map<String, Entry> entries,
            MappedFile[] shards, Map<String, Object> content) {
        this.index = index;
        this.options = options;
        this.entries = entries;
        this.names = List.copyOf(entries.keySet());
        this.shards = shards;
        this.content = content;
    }

    static Checkpoint open(Path index, CheckpointOptions options) throws IOException {
        String indexName = index.getFileName().toString();
        if (!indexName.endsWith(".index")) {
            throw new UnsupportedCheckpointException(index, null, "a TensorFlow bundle index must be named "
                    + "<prefix>.index so that its data shards <prefix>.data-NNNNN-of-NNNNN can be found");
        }
        String prefix = indexName.substring(0, indexName.length() - ".index".length());
        List<LevelDbTable.Entry> table;
        try (MappedFile mapped = MappedFile.open(index)) {
            table = LevelDbTable.readAll(index, mapped.segment());
        }
        if (table.isEmpty() || table.getFirst().key().length != 0) {
            throw new CorruptCheckpointException(index, "", "no bundle header entry (key \"\")");
        }
        Header header = parseHeader(index, table.getFirst().value());

        Map<String, Entry> numeric = new LinkedHashMap<>();
        List<Entry> strings = new ArrayList<>();
        List<Entry> all = new ArrayList<>();           // table order, for content()
        for (LevelDbTable.Entry raw : table.subList(1, table.size())) {
            if (raw.key()[0] == 0) {
                continue; // the data of one slice of a partitioned variable, keyed by an OrderedCode name
            }
            String name = new String(raw.key(), StandardCharsets.UTF_8);
            if (all.size() == ReaderLimits.MAX_TENSORS) {
                throw new UnsupportedCheckpointException(index, null, "bundle lists more than "
                        + ReaderLimits.describe(ReaderLimits.MAX_TENSORS, "MAX_TENSORS") + " tensors");
            }
            Entry e = parseEntry(index, name, raw.value(), header.numShards());
            all.add(e);
            if (e.isString()) {
                if (e.slices() > 0) {
                    throw new UnsupportedCheckpointException(index, name, "partitioned string variable saved as "
                            + e.slices() + " slices; sliced variables are not supported");
                }
                strings.add(e);
            } else {
                numeric.put(name, e);
            }
        }

        MappedFile[] shards = new MappedFile[header.numShards()];
        try {
            for (Entry e : numeric.values()) {
                checkData(index, prefix, header.numShards(), shards, e);
            }
            for (Entry e : strings) {
                checkData(index, prefix, header.numShards(), shards, e);
            }
            // content lists every entry in table order: strings by value, others by reference
            Map<String, Object> tensors = new LinkedHashMap<>();
            for (Entry e : all) {
                tensors.put(e.name(), e.isString()
                        ? readStrings(shardPath(index, prefix, e.shard(), header.numShards()),
                                shards[e.shard()].segment(), e, options.verifyChecksums())
                        : new TensorRef(e.name()));
            }
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("header", header.asMap());
            content.put("tensors", Collections.unmodifiableMap(tensors));
            return new TfBundleCheckpoint(index, options, numeric, shards, Collections.unmodifiableMap(content));
        } catch (IOException | RuntimeException e) {
            closeAll(shards);
            throw e;
        }
    }

    // ------------------------------------------------------------------ decoding

    private record Header(int numShards, int endianness, long producer, long minConsumer) {
        Map<String, Object> asMap() {
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("producer", producer);
            version.put("min_consumer", minConsumer);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("num_shards", (long) numShards);
            m.put("endianness", endianness == 0 ? "LITTLE" : "BIG");
            m.put("version", Collections.unmodifiableMap(version));
            return Collections.unmodifiableMap(m);
        }
    }

    private static Header parseHeader(Path index, byte[] value) throws CheckpointException {
        long numShards = 0;
        long endianness = 0;
        long producer = 0;
        long minConsumer = 0;
        try {
            ProtoReader r = new ProtoReader(value);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> numShards = r.varint();
                    case 2 -> endianness = r.varint();
                    case 3 -> {
                        ProtoReader v = r.message();
                        while (v.next()) {
                            switch (v.field()) {
                                case 1 -> producer = v.varint();
                                case 2 -> minConsumer = v.varint();
                                default -> v.skip();
                            }
                        }
                    }
                    default -> r.skip();
                }
            }
        } catch (ProtoReader.Malformed m) {
            throw new CorruptCheckpointException(index, "", "bundle header does not decode: " + m.getMessage());
        }
        if (numShards < 1 || numShards > MAX_SHARDS) {
            throw new CorruptCheckpointException(index, "", "bundle header claims " + numShards + " shards");
        }
        if (endianness != 0) {
            throw new UnsupportedCheckpointException(index, "", "big-endian bundle (endianness " + endianness
                    + "); only little-endian bundles are read");
        }
        if (minConsumer > BUNDLE_VERSION) {
            throw new UnsupportedCheckpointException(index, "", "bundle format needs a reader of version >= "
                    + minConsumer + "; this reader implements version " + BUNDLE_VERSION);
        }
        return new Header((int) numShards, (int) endianness, producer, minConsumer);
    }

    private static Entry parseEntry(Path index, String name, byte[] value, int numShards) throws CheckpointException {
        long tfType = 0;
        List<Long> dims = new ArrayList<>();
        boolean unknownRank = false;
        long shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        int slices = 0;
        try {
            ProtoReader r = new ProtoReader(value);
            while (r.next()) {
                switch (r.field()) {
                    case 1 -> tfType = r.varint();
                    case 2 -> {
                        ProtoReader shape = r.message();
                        while (shape.next()) {
                            switch (shape.field()) {
                                case 2 -> {
                                    ProtoReader dim = shape.message();
                                    long d = 0;
                                    while (dim.next()) {
                                        if (dim.field() == 1) {
                                            d = dim.varint();
                                        } else {
                                            dim.skip();
                                        }
                                    }
                                    if (dims.size() == ReaderLimits.MAX_RANK) {
                                        throw new UnsupportedCheckpointException(index, name, "shape of more than "
                                                + ReaderLimits.describe(ReaderLimits.MAX_RANK, "MAX_RANK") + " dimensions");
                                    }
                                    dims.add(d);
                                }
                                case 3 -> unknownRank = shape.varint() != 0;
                                default -> shape.skip();
                            }
                        }
                    }
                    case 3 -> shard = r.varint();
                    case 4 -> offset = r.varint();
                    case 5 -> size = r.varint();
                    case 6 -> crc = r.fixed32();
                    case 7 -> {
                        r.skip();
                        slices++;
                    }
                    default -> r.skip();
                }
            }
        } catch (ProtoReader.Malformed m) {
            throw new CorruptCheckpointException(index, name, "bundle entry does not decode: " + m.getMessage());
        }
        if (unknownRank) {
            throw new CorruptCheckpointException(index, name, "shape of unknown rank");
        }
        long[] shapeDims = new long[dims.size()];
        for (int i = 0; i < shapeDims.length; i++) {
            shapeDims[i] = dims.get(i);
            if (shapeDims[i] < 0) {
                throw new CorruptCheckpointException(index, name, "shape " + dims + " has a negative dimension");
            }
        }
        Shape shape;
        try {
            shape = Shape.of(shapeDims);
        } catch (ArithmeticException e) {
            throw new CorruptCheckpointException(index, name, "shape " + dims + " has more elements than a long holds");
        }
        DType dtype = TfDataType.toDType(tfType);
        if (dtype == null && tfType != TfDataType.DT_STRING) {
            throw new UnsupportedCheckpointException(index, name, "dtype " + TfDataType.name(tfType)
                    + " is not supported (readable: " + TfDataType.SUPPORTED + ")");
        }
        if (slices == 0) {
            if (shard < 0 || shard >= numShards) {
                throw new CorruptCheckpointException(index, name, "shard id " + shard + " outside the bundle's "
                        + numShards + " shards");
            }
            if (offset < 0 || size < 0) {
                throw new CorruptCheckpointException(index, name, "negative offset " + offset + " or size " + size);
            }
            if (dtype != null) {
                long expected;
                try {
                    expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
                } catch (ArithmeticException e) {
                    expected = -1;
                }
                if (expected != size) {
                    throw new CorruptCheckpointException(index, name, "entry size " + size + " bytes does not match "
                            + TfDataType.name(tfType) + shape + " (" + (expected < 0 ? "overflow" : expected + " bytes") + ")");
                }
            } else if (size - 4 < shape.numel()) {
                throw new CorruptCheckpointException(index, name, "string tensor " + shape + " cannot fit in "
                        + size + " bytes (one length byte per element and a 4-byte checksum at least)");
            }
        }
        return new Entry(name, (int) tfType, dtype, shape, (int) shard, offset, size, crc, slices);
    }

    private static Path shardPath(Path index, String prefix, int shard, int numShards) {
        return index.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix, shard, numShards));
    }

    /** Maps the entry's shard (once) and checks that its bytes lie inside it. */
    private static void checkData(Path index, String prefix, int numShards, MappedFile[] shards, Entry e)
            throws IOException {
        if (e.slices() > 0) {
            return;
        }
        Path shardFile = shardPath(index, prefix, e.shard(), numShards);
        if (shards[e.shard()] == null) {
            if (!Files.isRegularFile(shardFile)) {
                throw new CorruptCheckpointException(shardFile, e.name(), "data shard " + e.shard() + " of "
                        + numShards + " named by " + index.getFileName() + " is missing");
            }
            shards[e.shard()] = MappedFile.open(shardFile);
        }
        long shardSize = shards[e.shard()].size();
        if (e.offset() > shardSize || e.size() > shardSize - e.offset()) {
            throw new CorruptCheckpointException(shardFile, e.name(), "bytes [" + e.offset() + ", "
                    + (e.offset() + e.size()) + ") lie outside the " + shardSize + "-byte data shard");
        }
    }

    /**
     * Decodes a DT_STRING tensor: {@code numel} varint64 lengths, a masked CRC-32C of the lengths
     * (each fed to the CRC as a little-endian uint32, or uint64 if larger), then the bytes. The
     * entry's CRC covers those uint32 lengths, the 4 checksum bytes and the string bytes.
     */
    private static Object readStrings(Path shardFile, MemorySegment shard, Entry e, boolean verify)
            throws CheckpointException {
        MemorySegment data = shard.asSlice(e.offset(), e.size());
        if (e.shape().numel() > Integer.MAX_VALUE - 8) {
            throw new UnsupportedCheckpointException(shardFile, e.name(), "string tensor of " + e.shape().numel()
                    + " elements is too large to read into Java arrays");
        }
        int n = (int) e.shape().numel(); // <= size, checked when parsed
        long[] lengths = new long[n];
        CRC32C crc = new CRC32C();
        ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long position = 0;
        for (int i = 0; i < n; i++) {
            long length = 0;
            int shift = 0;
            while (true) {
                if (position >= e.size() || shift >= 64) {
                    throw new CorruptCheckpointException(shardFile, e.name(), "string length " + i + " runs past the tensor's "
                            + e.size() + " bytes");
                }
                byte b = data.get(ValueLayout.JAVA_BYTE, position++);
                length |= (long) (b & 0x7f) << shift;
                shift += 7;
                if (b >= 0) {
                    break;
                }
            }
            lengths[i] = length;
            scratch.clear();
            if (length >= 0 && length <= 0xffffffffL) {
                scratch.putInt((int) length);
            } else {
                scratch.putLong(length);
            }
            crc.update(scratch.flip());
        }
        if (e.size() - position < 4) {
            throw new CorruptCheckpointException(shardFile, e.name(), "string tensor has no length checksum");
        }
        int storedLengthCrc = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), position);
        if (verify && Crc32c.mask((int) crc.getValue()) != storedLengthCrc) {
            throw new CorruptCheckpointException(shardFile, e.name(), "CRC32C mismatch of the string lengths");
        }
        Crc32c.update(crc, data, position, 4);
        position += 4;
        long remaining = e.size() - position;
        long total = 0;
        for (long length : lengths) {
            if (length < 0 || length > remaining - total) {
                throw new CorruptCheckpointException(shardFile, e.name(), "string lengths add up to more than the "
                        + remaining + " bytes left in the tensor");
            }
            total += length;
        }
        if (total != remaining) {
            throw new CorruptCheckpointException(shardFile, e.name(), "string lengths add up to " + total
                    + " bytes but the tensor holds " + remaining);
        }
        Crc32c.update(crc, data, position, remaining);
        if (verify && Crc32c.mask((int) crc.getValue()) != e.maskedCrc()) {
            throw new CorruptCheckpointException(shardFile, e.name(), String.format(
                    "CRC32C mismatch: stored 0x%08x, computed 0x%08x; the data is corrupt",
                    Crc32c.unmask(e.maskedCrc()), (int) crc.getValue()));
        }
        List<byte[]> values = new ArrayList<>(n);
        for (long length : lengths) {
            values.add(data.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE));
            position += length;
        }
        if (e.shape().rank() == 0) {
            return values.getFirst();
        }
        if (n == 0) {
            // no strings: the nested lists a shape such as [2^40, 0] describes would be empty but countless
            return emptyNest(shardFile, e);
        }
        return nest(values, e.shape(), 0, 0);
    }

    /** The nested empty lists of a shape with a zero dimension, e.g. [[], []] for [2, 0], if there are few. */
    private static List<Object> emptyNest(Path shardFile, Entry e) throws CheckpointException {
        Shape shape = e.shape();
        int zeroAxis = 0;
        while (shape.dim(zeroAxis) != 0) {
            zeroAxis++;
        }
        long lists = 1;
        for (int axis = 0; axis < zeroAxis; axis++) {
            lists = shape.dim(axis) > (1 << 16) / lists ? Long.MAX_VALUE : lists * shape.dim(axis);
            if (lists > 1 << 16) {
                throw new UnsupportedCheckpointException(shardFile, e.name(), "empty string tensor of shape " + shape
                        + " would be more than 65536 nested empty lists");
            }
        }
        return emptyLists(shape, 0, zeroAxis);
    }

    private static List<Object> emptyLists(Shape shape, int axis, int zeroAxis) {
        if (axis == zeroAxis) {
            return List.of();
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < shape.dim(axis); i++) {
            out.add(emptyLists(shape, axis + 1, zeroAxis));
        }
        return Collections.unmodifiableList(out);
    }

    /** Row-major flat values as nested lists of the shape. */
    private static List<Object> nest(List<byte[]> flat, Shape shape, int axis, int start) {
        int d = (int) shape.dim(axis);
        int inner = 1;
        for (int i = axis + 1; i < shape.rank(); i++) {
            inner = Math.multiplyExact(inner, (int) shape.dim(i));
        }
        List<Object> out = new ArrayList<>(d);
        for (int i = 0; i < d; i++) {
            out.add(axis == shape.rank() - 1 ? flat.get(start + i) : nest(flat, shape, axis + 1, start + i * inner));
        }
        return Collections.unmodifiableList(out);
    }

    // ------------------------------------------------------------------ Checkpoint

    @Override
    public Path path() {
        return index;
    }

    @Override
    public CheckpointFormat format() {
        return CheckpointFormat.TENSORFLOW_BUNDLE;
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
        Entry e = entry(name);
        return new TensorInfo(name, e.dtype(), e.shape());
    }

    @Override
    public Tensor tensor(String name) throws IOException {
        Entry e = entry(name);
        if (closed.get()) {
            throw new IllegalStateException(index + " is closed");
        }
        if (e.slices() > 0) {
            throw new UnsupportedCheckpointException(index, name, "partitioned variable saved as " + e.slices()
                    + " slices; reading sliced variables is not supported");
        }
        MemorySegment shard = shards[e.shard()].segment();
        if (options.verifyChecksums() && !verified.contains(name)) {
            int actual = Crc32c.of(shard, e.offset(), e.size());
            if (Crc32c.mask(actual) != e.maskedCrc()) {
                throw new CorruptCheckpointException(shards[e.shard()].path(), name, String.format(
                        "CRC32C mismatch: stored 0x%08x, computed 0x%08x over %d bytes at offset %d; the data is corrupt",
                        Crc32c.unmask(e.maskedCrc()), actual, e.size(), e.offset()));
            }
            verified.add(name);
        }
        return Tensor.of(e.dtype(), e.shape(), shard, e.offset());
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            Object inContent = ((Map<?, ?>) content.get("tensors")).get(name);
            throw new IllegalArgumentException(index + ": no tensor '" + name + "'"
                    + (inContent != null ? " (it is a string tensor: read it from content().get(\"tensors\"))" : ""));
        }
        return e;
    }

    @Override
    public Object content() {
        return content;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeAll(shards);
        }
    }

    private static void closeAll(MappedFile[] shards) {
        for (MappedFile f : shards) {
            if (f != null) {
                f.close();
            }
        }
    }

    @Override
    public String toString() {
        return "TfBundleCheckpoint[" + index + ", " + names.size() + " tensors]";
    }
}
