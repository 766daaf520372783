package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.CheckpointOptions;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.checkpoint.pickle.PickleLimits;
import io.github.vectorlm.checkpoint.pickle.PickleMachine;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the zip format {@code torch.save} writes since PyTorch 1.6: {@code <prefix>/data.pkl}
 * (the pickle), {@code <prefix>/data/<key>} (one entry per storage, STORED and 64-byte aligned by
 * torch), {@code <prefix>/version}, and since PyTorch 2.1 {@code <prefix>/byteorder}.
 *
 * <p>The prefix is whatever folder holds {@code data.pkl} (torch names it after the file; any
 * depth is accepted). Zip64 archives are read like any other ({@link ZipDirectory} reads the
 * directory). STORED storage entries are mapped in place; DEFLATED ones (a torch file re-zipped
 * by other tools) are inflated into memory on first use, CRC-checked; other methods are refused.
 * A {@code byteorder} of {@code big} (a file saved on a big-endian machine) is honoured by
 * byte-swapping each storage into memory on first use, since tensors here are little-endian.
 */
public final class TorchZipReader {
    private static final long MAX_RECORD_BYTES = 64;
    private static final long MAX_PICKLE_BYTES = Integer.MAX_VALUE - 8;

    private final Path file;
    private final MappedFile mapped;
    private final Arena filled;
    private final CheckpointOptions options;
    private final PickleLimits limits = PickleLimits.defaults();
    private final Map<String, ZipDirectory.Entry> entries = new LinkedHashMap<>();
    private String prefix;
    private boolean bigEndian;
    /** Element size each big-endian root storage was swapped in. */
    private final Map<TorchStorage, Integer> swappedElementSize = new java.util.HashMap<>();

    private TorchZipReader(Path file, MappedFile mapped, Arena filled, CheckpointOptions options) {
        this.file = file;
        this.mapped = mapped;
        this.filled = filled;
        this.options = options;
    }

    /**
     * Opens a torch zip file: reads the directory and the pickle, validates every tensor against
     * its storage entry, and maps the file.
     *
     * @throws CheckpointException if the file is corrupt, unsafe or uses what is not supported
     */
    public static Checkpoint open(Path file, CheckpointOptions options) throws IOException {
        MappedFile mapped = MappedFile.open(file);
        Arena filled = Arena.ofShared();
        boolean opened = false;
        try {
            Checkpoint checkpoint = new TorchZipReader(file, mapped, filled, options).read();
            opened = true;
            return checkpoint;
        } finally {
            if (!opened) {
                filled.close();
                mapped.close();
            }
        }
    }

    private Checkpoint read() throws IOException {
        readDirectory();
        ZipDirectory.Entry pickleEntry = findDataPkl();
        bigEndian = readByteOrder();
        checkVersion();
        MemorySegment pickle = new ZipEntryBytes(file, mapped.segment(), pickleEntry, null).readSmall(MAX_PICKLE_BYTES);
        TorchUnpickler handler = new TorchUnpickler(new TorchGlobals(options.extraPickleGlobals()), new StorageTable());
        Object root = new PickleMachine(file, pickleEntry.name(), pickle, handler, limits).load(0);
        TorchContent content = new TorchContent(file, limits, this::resolveStorage);
        Object publicRoot = content.walk(root);
        return new TorchCheckpoint(file, CheckpointFormat.TORCH_ZIP, mapped, filled, content.tensors(), publicRoot);
    }

    private void readDirectory() throws CheckpointException {
        for (ZipDirectory.Entry entry : ZipDirectory.read(file, mapped.segment())) {
            entries.putIfAbsent(entry.name(), entry);
        }
    }

    /** {@code data.pkl} at any depth; if several, the one in the folder of the first entry, as torch does. */
    private ZipDirectory.Entry findDataPkl() throws CheckpointException {
        List<String> candidates = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (name.equals("data.pkl") || name.endsWith("/data.pkl")) {
                candidates.add(name);
            }
        }
        String chosen = null;
        if (candidates.size() == 1) {
            chosen = candidates.getFirst();
        } else if (candidates.size() > 1) {
            String first = entries.keySet().iterator().next();
            String torchPrefix = first.contains("/") ? first.substring(0, first.indexOf('/') + 1) : "";
            chosen = candidates.contains(torchPrefix + "data.pkl") ? torchPrefix + "data.pkl" : null;
            if (chosen == null) {
                throw new CorruptCheckpointException(file, null, "the archive holds several data.pkl records "
                        + candidates.subList(0, Math.min(5, candidates.size())) + "; cannot tell which is the checkpoint");
            }
        }
        if (chosen == null) {
            List<String> some = new ArrayList<>(entries.keySet()).subList(0, Math.min(5, entries.size()));
            throw new CorruptCheckpointException(file, null, "zip archive without a data.pkl record, so not a"
                    + " torch.save file (its entries begin " + some + ")");
        }
        prefix = chosen.substring(0, chosen.length() - "data.pkl".length());
        return entries.get(chosen);
    }

    private boolean readByteOrder() throws CheckpointException {
        ZipDirectory.Entry entry = entries.get(prefix + "byteorder");
        if (entry == null) {
            return false; // written since PyTorch 2.1; older files come from little-endian machines
        }
        String order = readText(entry);
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new CorruptCheckpointException(file, null, "record '" + entry.name() + "' says '"
                    + order + "', neither 'little' nor 'big'");
        };
    }

    private void checkVersion() throws CheckpointException {
        ZipDirectory.Entry entry = entries.get(prefix + "version");
        if (entry == null) {
            entry = entries.get(prefix + ".data/version");
        }
        if (entry != null) {
            String version = readText(entry);
            if (!version.matches("[0-9]{1,9}")) {
                throw new CorruptCheckpointException(file, null, "record '" + entry.name() + "' holds '" + version
                        + "', not a format version number");
            }
        }
    }

    private String readText(ZipDirectory.Entry entry) throws CheckpointException {
        MemorySegment bytes = new ZipEntryBytes(file, mapped.segment(), entry, null).readSmall(MAX_RECORD_BYTES);
        return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1).strip();
    }

    /**
     * Finds {@code data/<key>}, checks it holds the storage's claimed bytes, and sets where they are.
     * A big-endian storage is swapped in elements of its first tensor's type: for typed storages
     * that is the storage's own type; untyped ones (PyTorch 2.x, e.g. uint16) take it from the tensor.
     */
    private void resolveStorage(TorchStorage storage, String tensor, DType tensorDtype) throws CheckpointException {
        int elementSize = storage.dtype() == DType.U8 ? tensorDtype.byteSize() : storage.dtype().byteSize();
        if (storage.isResolved()) {
            Integer swapped = swappedElementSize.get(storage);
            if (swapped != null && swapped != elementSize) {
                throw new UnsupportedCheckpointException(file, tensor, "its big-endian storage '" + storage.key()
                        + "' was swapped in " + swapped + "-byte elements for an earlier tensor; reading it as "
                        + tensorDtype + " too is not supported");
            }
            return;
        }
        String entryName = prefix + "data/" + storage.key();
        ZipDirectory.Entry entry = entries.get(entryName);
        if (entry == null) {
            throw new CorruptCheckpointException(file, tensor, "its " + storage + " should be zip entry '" + entryName
                    + "', which the archive lacks");
        }
        long byteSize;
        try {
            byteSize = storage.byteSize();
        } catch (ArithmeticException e) {
            throw new CorruptCheckpointException(file, tensor, "its " + storage + " claims more bytes than a 64-bit"
                    + " size holds");
        }
        ZipEntryBytes bytes = new ZipEntryBytes(file, mapped.segment(), entry, tensor);
        if (bytes.size() < byteSize) {
            throw new CorruptCheckpointException(file, tensor, "its " + storage + " needs " + byteSize
                    + " bytes, but zip entry '" + entryName + "' holds " + bytes.size());
        }
        StorageBytes found;
        if (bytes.isStored()) {
            found = StorageBytes.mapped(bytes.mappedSlice().asSlice(0, byteSize));
        } else {
            // inflated whole (its CRC covers the whole entry); the storage is its first byteSize bytes
            StorageBytes inflated = new FilledStorage(filled, bytes.size(), target -> bytes.inflateInto(target, tensor));
            found = bytes.size() == byteSize ? inflated : () -> inflated.segment().asSlice(0, byteSize);
        }
        if (bigEndian && elementSize > 1) {
            found = FilledStorage.byteSwapped(filled, found, byteSize, elementSize);
            swappedElementSize.put(storage, elementSize);
        }
        storage.resolve(found);
    }
}
