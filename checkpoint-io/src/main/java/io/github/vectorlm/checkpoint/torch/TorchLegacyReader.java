package io.github.vectorlm.checkpoint.torch;

import static io.github.vectorlm.checkpoint.pickle.PickleMachine.describe;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.CheckpointOptions;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.checkpoint.pickle.PickleLimits;
import io.github.vectorlm.checkpoint.pickle.PickleMachine;
import io.github.vectorlm.checkpoint.pickle.PlainDataHandler;
import io.github.vectorlm.tensor.MappedFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the legacy stream {@code torch.save} wrote before PyTorch 1.6 (and still writes with
 * {@code _use_new_zipfile_serialization=False}): five pickles back to back — the magic number
 * {@code 0x1950a86a20f9469cfc6c}, the protocol version 1001, a {@code sys_info} dict, the object
 * (whose persistent ids name storages), the sorted list of storage keys — then, for each key in
 * that order, the storage's element count as 8 little-endian bytes and its raw bytes.
 *
 * <p>Storage bytes are always little-endian in this format (torch converts on big-endian
 * machines when writing), whatever {@code sys_info} says; they are mapped in place.
 */
public final class TorchLegacyReader {
    /** The first pickle of every legacy torch file. */
    static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;
    private static final ValueLayout.OfLong I64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TorchLegacyReader() {
    }

    /**
     * Opens a legacy torch file: reads the pickles, finds every storage's bytes, validates every
     * tensor against its storage, and maps the file.
     *
     * @throws CheckpointException if the file is corrupt, unsafe or uses what is not supported
     */
    public static Checkpoint open(Path file, CheckpointOptions options) throws IOException {
        MappedFile mapped = MappedFile.open(file);
        Arena filled = Arena.ofShared();
        boolean opened = false;
        try {
            Checkpoint checkpoint = read(file, mapped, filled, options);
            opened = true;
            return checkpoint;
        } finally {
            if (!opened) {
                filled.close();
                mapped.close();
            }
        }
    }

    private static Checkpoint read(Path file, MappedFile mapped, Arena filled, CheckpointOptions options)
            throws CheckpointException {
        MemorySegment bytes = mapped.segment();
        PickleLimits limits = PickleLimits.defaults();
        PlainDataHandler plain = new PlainDataHandler();

        PickleMachine header = new PickleMachine(file, "magic number (pickle 1 of 5)", bytes, plain, limits);
        Object magic;
        try {
            magic = header.load(0);
        } catch (CheckpointException e) {
            // any pickle starts like a legacy torch file; one whose first object is no plain number is another file
            throw new UnsupportedCheckpointException(file, null, "a pickle, but not a torch.save file: its first"
                    + " object is not torch's magic number 0x1950a86a20f9469cfc6c ("
                    + e.getMessage().substring(e.getMessage().startsWith(file + ": ") ? file.toString().length() + 2 : 0)
                    + ")", e);
        }
        if (!MAGIC_NUMBER.equals(magic)) {
            throw new UnsupportedCheckpointException(file, null, "a pickle, but not a torch.save file: it starts with "
                    + describe(magic) + (isScalar(magic) ? " " + abbreviate(magic) : "") + ", not torch's magic number 0x1950a86a20f9469cfc6c");
        }
        PickleMachine version = new PickleMachine(file, "protocol version (pickle 2 of 5)", bytes, plain, limits);
        Object protocol = version.load(header.position());
        if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol)) {
            throw new UnsupportedCheckpointException(file, null, "legacy torch protocol version " + abbreviate(protocol)
                    + "; this reader knows " + PROTOCOL_VERSION);
        }
        PickleMachine sysInfo = new PickleMachine(file, "sys_info (pickle 3 of 5)", bytes, plain, limits);
        if (!(sysInfo.load(version.position()) instanceof Map)) {
            throw new CorruptCheckpointException(file, null, "the third pickle should be torch's sys_info dict");
        }

        StorageTable storages = new StorageTable();
        TorchUnpickler handler = new TorchUnpickler(new TorchGlobals(options.extraPickleGlobals()), storages);
        PickleMachine main = new PickleMachine(file, "object (pickle 4 of 5)", bytes, handler, limits);
        Object root = main.load(sysInfo.position());

        PickleMachine keyList = new PickleMachine(file, "storage keys (pickle 5 of 5)", bytes, plain, limits);
        Object keys = keyList.load(main.position());
        if (!(keys instanceof List<?> list)) {
            throw new CorruptCheckpointException(file, null, "the fifth pickle should list storage keys, not "
                    + describe(keys));
        }
        locateStorages(file, bytes, keyList.position(), list, storages);

        TorchContent content = new TorchContent(file, limits, (storage, tensor, dtype) -> {
            if (!storage.isResolved()) {
                throw new CorruptCheckpointException(file, tensor, "its " + storage
                        + " is missing from the file's list of stored storages");
            }
        });
        Object publicRoot = content.walk(root);
        return new TorchCheckpoint(file, CheckpointFormat.TORCH_LEGACY, mapped, filled, content.tensors(), publicRoot);
    }

    /** Walks the storage section: per key, an 8-byte element count then the bytes, each checked against the file. */
    private static void locateStorages(Path file, MemorySegment bytes, long start, List<?> keys, StorageTable storages)
            throws CheckpointException {
        long at = start;
        long fileSize = bytes.byteSize();
        for (Object k : keys) {
            if (!(k instanceof String key)) {
                throw new CorruptCheckpointException(file, null, "storage key " + describe(k) + " in the key list is no str");
            }
            TorchStorage storage = storages.root(key);
            if (storage == null) {
                throw new CorruptCheckpointException(file, null, "storage '" + key + "' is in the key list, but no"
                        + " tensor names it, so its element size is unknown");
            }
            if (storage.isResolved()) {
                throw new CorruptCheckpointException(file, null, "storage '" + key + "' is listed twice");
            }
            if (fileSize - at < Long.BYTES) {
                throw new CorruptCheckpointException(file, null, "the file ends at byte " + fileSize + ", before the"
                        + " element count of storage '" + key + "' at byte " + at);
            }
            long count = bytes.get(I64_LE, at);
            long dataStart = at + Long.BYTES;
            long byteSize;
            try {
                byteSize = Math.multiplyExact(count, (long) storage.dtype().byteSize());
            } catch (ArithmeticException e) {
                byteSize = -1;
            }
            if (count < 0 || byteSize < 0 || byteSize > fileSize - dataStart) {
                throw new CorruptCheckpointException(file, null, "storage '" + key + "' claims " + Long.toUnsignedString(count)
                        + " " + storage.dtype() + " elements at byte " + dataStart + ", but the file has only "
                        + (fileSize - dataStart) + " bytes left");
            }
            if (count != storage.numel()) {
                throw new CorruptCheckpointException(file, null, "storage '" + key + "' holds " + count
                        + " elements in the data section, but the pickle says " + storage.numel());
            }
            storage.resolve(StorageBytes.mapped(bytes.asSlice(dataStart, byteSize)));
            at = dataStart + byteSize;
        }
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof BigInteger
                || value instanceof Double || value instanceof Boolean;
    }

    /** A scalar's text, or what a container is: never a container's toString, which could nest without end. */
    private static String abbreviate(Object value) {
        String text = isScalar(value) ? String.valueOf(value) : describe(value);
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
